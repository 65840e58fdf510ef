CREATE TABLE `patient_search_terms` (
	`clinic_id` text NOT NULL,
	`term` text NOT NULL,
	`patient_id` text NOT NULL,
	PRIMARY KEY(`clinic_id`, `term`, `patient_id`),
	FOREIGN KEY (`patient_id`) REFERENCES `patients`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `patient_search_terms_patient_idx` ON `patient_search_terms` (`patient_id`);--> statement-breakpoint
ALTER TABLE `point_accounts` ADD `next_expiry_at` integer;--> statement-breakpoint
CREATE INDEX `point_accounts_next_expiry_idx` ON `point_accounts` (`clinic_id`,`next_expiry_at`,`patient_id`) WHERE "point_accounts"."next_expiry_at" is not null;--> statement-breakpoint
CREATE INDEX `vouchers_clinic_status_idx` ON `vouchers` (`clinic_id`,`status`,`id`);--> statement-breakpoint
-- A card's next expiry follows its lots, whatever writes them (added by hand: drizzle-kit does not
-- model triggers). Each runs one seek on point_lots_live_idx.
CREATE TRIGGER `point_lots_next_expiry_insert` AFTER INSERT ON `point_lots`
BEGIN
  UPDATE `point_accounts` SET `next_expiry_at` = (SELECT min(l.`expires_at`) FROM `point_lots` l
    WHERE l.`patient_id` = NEW.`patient_id` AND l.`remaining` > 0)
  WHERE `patient_id` = NEW.`patient_id`;
END;
--> statement-breakpoint
CREATE TRIGGER `point_lots_next_expiry_update` AFTER UPDATE OF `remaining` ON `point_lots`
BEGIN
  UPDATE `point_accounts` SET `next_expiry_at` = (SELECT min(l.`expires_at`) FROM `point_lots` l
    WHERE l.`patient_id` = NEW.`patient_id` AND l.`remaining` > 0)
  WHERE `patient_id` = NEW.`patient_id`;
END;
--> statement-breakpoint
CREATE TRIGGER `point_accounts_next_expiry_insert` AFTER INSERT ON `point_accounts`
BEGIN
  UPDATE `point_accounts` SET `next_expiry_at` = (SELECT min(l.`expires_at`) FROM `point_lots` l
    WHERE l.`patient_id` = NEW.`patient_id` AND l.`remaining` > 0)
  WHERE `patient_id` = NEW.`patient_id`;
END;
--> statement-breakpoint
UPDATE `point_accounts` SET `next_expiry_at` = (SELECT min(l.`expires_at`) FROM `point_lots` l
  WHERE l.`patient_id` = `point_accounts`.`patient_id` AND l.`remaining` > 0);
