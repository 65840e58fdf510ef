CREATE TABLE `patient_month_activity` (
	`patient_id` text NOT NULL,
	`month` text NOT NULL,
	`clinic_id` text NOT NULL,
	`spend` integer DEFAULT 0 NOT NULL,
	`visits` integer DEFAULT 0 NOT NULL,
	`redemptions` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`patient_id`, `month`)
);
--> statement-breakpoint
ALTER TABLE `insight_settings` ADD `usual_interval_days` integer DEFAULT 90 NOT NULL;--> statement-breakpoint
ALTER TABLE `patient_quadrant_months` ADD `engagement` integer DEFAULT 0 NOT NULL;
--> statement-breakpoint
-- Every patient has an insight row from the start (the daily job backfills patients registered
-- before this migration), so segments, counts and the win-back list read one row per patient.
CREATE TRIGGER `patients_insight_row` AFTER INSERT ON `patients`
BEGIN
  INSERT OR IGNORE INTO `patient_insight` (`patient_id`, `clinic_id`, `refreshed_at`)
    VALUES (NEW.`id`, NEW.`clinic_id`, NEW.`created_at`);
END;
--> statement-breakpoint
-- A paid visit: the patient's month activity, and the behaviour columns of their insight row (first
-- and last visit, count, lifetime spend, cohort = the clinic month of the first visit). The trailing
-- windows move with it at once (a visit within 365 days of its recording); the daily refresh
-- re-derives them exactly. A visit ends "overdue": the win-back flag waits for the next refresh.
CREATE TRIGGER `visits_insight` AFTER INSERT ON `visits`
BEGIN
  INSERT OR IGNORE INTO `patient_insight` (`patient_id`, `clinic_id`, `refreshed_at`)
    VALUES (NEW.`patient_id`, NEW.`clinic_id`, NEW.`recorded_at`);
  INSERT INTO `patient_month_activity` (`patient_id`, `month`, `clinic_id`, `spend`, `visits`, `redemptions`)
    SELECT NEW.`patient_id`, coalesce((SELECT CASE WHEN m.`ends_at` > NEW.`occurred_at` THEN m.`month` END FROM `clinic_months` m WHERE m.`clinic_id` = NEW.`clinic_id` AND m.`starts_at` <= NEW.`occurred_at` ORDER BY m.`starts_at` DESC LIMIT 1), strftime('%Y-%m', NEW.`occurred_at` / 1000, 'unixepoch')), NEW.`clinic_id`, NEW.`amount`, 1, 0 WHERE 1
    ON CONFLICT (`patient_id`, `month`) DO UPDATE SET `spend` = `spend` + excluded.`spend`, `visits` = `visits` + excluded.`visits`, `redemptions` = `redemptions` + excluded.`redemptions`;
  UPDATE `patient_insight` SET
    `first_visit_at` = min(coalesce(`first_visit_at`, NEW.`occurred_at`), NEW.`occurred_at`),
    `last_visit_at` = max(coalesce(`last_visit_at`, NEW.`occurred_at`), NEW.`occurred_at`),
    `visit_count` = `visit_count` + 1,
    `lifetime_spend` = `lifetime_spend` + NEW.`amount`,
    `spend_12m` = `spend_12m` + CASE WHEN NEW.`occurred_at` > NEW.`recorded_at` - 31536000000 THEN NEW.`amount` ELSE 0 END,
    `visits_12m` = `visits_12m` + CASE WHEN NEW.`occurred_at` > NEW.`recorded_at` - 31536000000 THEN 1 ELSE 0 END,
    `cohort_month` = CASE WHEN `first_visit_at` IS NULL OR NEW.`occurred_at` < `first_visit_at`
      THEN coalesce((SELECT CASE WHEN m.`ends_at` > NEW.`occurred_at` THEN m.`month` END FROM `clinic_months` m WHERE m.`clinic_id` = NEW.`clinic_id` AND m.`starts_at` <= NEW.`occurred_at` ORDER BY m.`starts_at` DESC LIMIT 1), strftime('%Y-%m', NEW.`occurred_at` / 1000, 'unixepoch')) ELSE `cohort_month` END,
    `overdue_days` = CASE WHEN NEW.`occurred_at` >= coalesce(`last_visit_at`, 0) THEN 0 ELSE `overdue_days` END
  WHERE `patient_id` = NEW.`patient_id`;
END;
--> statement-breakpoint
-- A gift redeemed at a partner: one more redemption for the voucher's patient, in the clinic month
-- it was redeemed.
CREATE TRIGGER `redemptions_insight` AFTER INSERT ON `redemptions`
BEGIN
  INSERT INTO `patient_month_activity` (`patient_id`, `month`, `clinic_id`, `spend`, `visits`, `redemptions`)
    SELECT v.`patient_id`, coalesce((SELECT CASE WHEN m.`ends_at` > NEW.`redeemed_at` THEN m.`month` END FROM `clinic_months` m WHERE m.`clinic_id` = NEW.`clinic_id` AND m.`starts_at` <= NEW.`redeemed_at` ORDER BY m.`starts_at` DESC LIMIT 1), strftime('%Y-%m', NEW.`redeemed_at` / 1000, 'unixepoch')), NEW.`clinic_id`, 0, 0, 1 FROM `vouchers` v WHERE v.`id` = NEW.`voucher_id`
    ON CONFLICT (`patient_id`, `month`) DO UPDATE SET `spend` = `spend` + excluded.`spend`, `visits` = `visits` + excluded.`visits`, `redemptions` = `redemptions` + excluded.`redemptions`;
  UPDATE `patient_insight` SET `redemptions` = `redemptions` + 1
  WHERE `patient_id` = (SELECT v.`patient_id` FROM `vouchers` v WHERE v.`id` = NEW.`voucher_id`);
END;
--> statement-breakpoint
-- A reversed gift redemption comes off the month of the redemption it undoes.
CREATE TRIGGER `voucher_reversals_insight` AFTER INSERT ON `voucher_reversals`
BEGIN
  INSERT INTO `patient_month_activity` (`patient_id`, `month`, `clinic_id`, `spend`, `visits`, `redemptions`)
    SELECT v.`patient_id`, coalesce((SELECT CASE WHEN m.`ends_at` > r.`redeemed_at` THEN m.`month` END FROM `clinic_months` m WHERE m.`clinic_id` = r.`clinic_id` AND m.`starts_at` <= r.`redeemed_at` ORDER BY m.`starts_at` DESC LIMIT 1), strftime('%Y-%m', r.`redeemed_at` / 1000, 'unixepoch')), r.`clinic_id`, 0, 0, -1 FROM `redemptions` r JOIN `vouchers` v ON v.`id` = r.`voucher_id` WHERE r.`id` = NEW.`redemption_id`
    ON CONFLICT (`patient_id`, `month`) DO UPDATE SET `spend` = `spend` + excluded.`spend`, `visits` = `visits` + excluded.`visits`, `redemptions` = `redemptions` + excluded.`redemptions`;
  UPDATE `patient_insight` SET `redemptions` = `redemptions` - 1
  WHERE `patient_id` = (SELECT v.`patient_id` FROM `vouchers` v WHERE v.`id` = NEW.`voucher_id`);
END;
--> statement-breakpoint
-- Points spent (anywhere in the network) count as a redemption of the card's patient, in the issuing
-- clinic's month; a reversal takes it off that month again.
CREATE TRIGGER `point_redemptions_insight` AFTER INSERT ON `point_redemptions`
BEGIN
  INSERT INTO `patient_month_activity` (`patient_id`, `month`, `clinic_id`, `spend`, `visits`, `redemptions`)
    SELECT NEW.`patient_id`, coalesce((SELECT CASE WHEN m.`ends_at` > NEW.`redeemed_at` THEN m.`month` END FROM `clinic_months` m WHERE m.`clinic_id` = NEW.`clinic_id` AND m.`starts_at` <= NEW.`redeemed_at` ORDER BY m.`starts_at` DESC LIMIT 1), strftime('%Y-%m', NEW.`redeemed_at` / 1000, 'unixepoch')), NEW.`clinic_id`, 0, 0, 1 WHERE 1
    ON CONFLICT (`patient_id`, `month`) DO UPDATE SET `spend` = `spend` + excluded.`spend`, `visits` = `visits` + excluded.`visits`, `redemptions` = `redemptions` + excluded.`redemptions`;
  UPDATE `patient_insight` SET `redemptions` = `redemptions` + 1 WHERE `patient_id` = NEW.`patient_id`;
END;
--> statement-breakpoint
CREATE TRIGGER `point_reversals_insight` AFTER INSERT ON `point_reversals`
BEGIN
  INSERT INTO `patient_month_activity` (`patient_id`, `month`, `clinic_id`, `spend`, `visits`, `redemptions`)
    SELECT r.`patient_id`, coalesce((SELECT CASE WHEN m.`ends_at` > r.`redeemed_at` THEN m.`month` END FROM `clinic_months` m WHERE m.`clinic_id` = r.`clinic_id` AND m.`starts_at` <= r.`redeemed_at` ORDER BY m.`starts_at` DESC LIMIT 1), strftime('%Y-%m', r.`redeemed_at` / 1000, 'unixepoch')), r.`clinic_id`, 0, 0, -1 FROM `point_redemptions` r WHERE r.`id` = NEW.`redemption_id`
    ON CONFLICT (`patient_id`, `month`) DO UPDATE SET `spend` = `spend` + excluded.`spend`, `visits` = `visits` + excluded.`visits`, `redemptions` = `redemptions` + excluded.`redemptions`;
  UPDATE `patient_insight` SET `redemptions` = `redemptions` - 1 WHERE `patient_id` = NEW.`patient_id`;
END;
--> statement-breakpoint
-- A personal link opened (questionnaire or survey): the patient's opens and when they last opened one.
CREATE TRIGGER `patient_links_insight_open` AFTER UPDATE OF `opens` ON `patient_links`
WHEN NEW.`opens` > OLD.`opens`
BEGIN
  UPDATE `patient_insight` SET `link_opens` = `link_opens` + (NEW.`opens` - OLD.`opens`),
    `last_open_at` = max(coalesce(`last_open_at`, 0), coalesce(NEW.`last_opened_at`, 0))
  WHERE `patient_id` = NEW.`patient_id`;
END;
