DROP INDEX `visits_patient_idx`;--> statement-breakpoint
CREATE INDEX `visits_patient_idx` ON `visits` (`patient_id`,`occurred_at`,`id`);