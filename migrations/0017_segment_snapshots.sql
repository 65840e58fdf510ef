ALTER TABLE `segments` ADD `snapshot_at` integer;--> statement-breakpoint
CREATE INDEX `segments_snapshot_idx` ON `segments` (`snapshot_at`) WHERE "segments"."archived_at" is null;