CREATE TABLE `clinic_month_figures` (
	`clinic_id` text NOT NULL,
	`month` text NOT NULL,
	`points_issued` integer DEFAULT 0 NOT NULL,
	`points_spent` integer DEFAULT 0 NOT NULL,
	`points_reversed` integer DEFAULT 0 NOT NULL,
	`points_expired` integer DEFAULT 0 NOT NULL,
	`points_outstanding` integer DEFAULT 0 NOT NULL,
	`visits` integer DEFAULT 0 NOT NULL,
	`visit_revenue` integer DEFAULT 0 NOT NULL,
	`vouchers_issued` integer DEFAULT 0 NOT NULL,
	`vouchers_issued_value` integer DEFAULT 0 NOT NULL,
	`vouchers_issued_redeemed_value` integer DEFAULT 0 NOT NULL,
	`vouchers_redeemed` integer DEFAULT 0 NOT NULL,
	`vouchers_redeemed_value` integer DEFAULT 0 NOT NULL,
	`vouchers_voided` integer DEFAULT 0 NOT NULL,
	`vouchers_lapsed` integer DEFAULT 0 NOT NULL,
	`vouchers_lapsed_value` integer DEFAULT 0 NOT NULL,
	`active_patients` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`clinic_id`, `month`),
	FOREIGN KEY (`clinic_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `clinic_month_patients` (
	`clinic_id` text NOT NULL,
	`month` text NOT NULL,
	`patient_id` text NOT NULL,
	PRIMARY KEY(`clinic_id`, `month`, `patient_id`)
);
--> statement-breakpoint
CREATE TABLE `timezone_months` (
	`timezone` text NOT NULL,
	`month` text NOT NULL,
	`starts_at` integer NOT NULL,
	`ends_at` integer NOT NULL,
	PRIMARY KEY(`timezone`, `starts_at`)
);--> statement-breakpoint
-- A clinic's months: when each calendar month starts and ends in the clinic's own timezone (the rows
-- of timezone_months are written by TS, which knows timezones: for each new clinic's zone, and by the
-- cron for zones that had none). An instant outside the rows (before 2000, or a zone not written yet)
-- falls back to its UTC month; the cron's backfill (backfillClinicFigures) counts a clinic again exactly.
CREATE VIEW `clinic_months` AS
  SELECT o.`id` AS `clinic_id`, tm.`month`, tm.`starts_at`, tm.`ends_at`
  FROM `organizations` o JOIN `timezone_months` tm ON tm.`timezone` = o.`timezone`;
--> statement-breakpoint
-- A new month row starts from the cards' balance at the end of the month before it: each row's
-- points_outstanding is the running balance, so a report reads it from the months it shows.
CREATE TRIGGER `clinic_month_figures_carry` AFTER INSERT ON `clinic_month_figures`
BEGIN
  UPDATE `clinic_month_figures` SET `points_outstanding` = `points_outstanding` + coalesce((
    SELECT p.`points_outstanding` FROM `clinic_month_figures` p
    WHERE p.`clinic_id` = NEW.`clinic_id` AND p.`month` < NEW.`month` ORDER BY p.`month` DESC LIMIT 1), 0)
  WHERE `clinic_id` = NEW.`clinic_id` AND `month` = NEW.`month`;
END;
--> statement-breakpoint
CREATE TRIGGER `clinic_month_patients_count` AFTER INSERT ON `clinic_month_patients`
BEGIN
  UPDATE `clinic_month_figures` SET `active_patients` = `active_patients` + 1
  WHERE `clinic_id` = NEW.`clinic_id` AND `month` = NEW.`month`;
END;
--> statement-breakpoint
-- A paid visit: its month's visits and revenue, and the patient is active that month.
CREATE TRIGGER `visits_report` AFTER INSERT ON `visits`
BEGIN
  INSERT INTO `clinic_month_figures` (`clinic_id`, `month`, `visits`, `visit_revenue`)
    VALUES (NEW.`clinic_id`, coalesce((SELECT CASE WHEN m.`ends_at` > NEW.`occurred_at` THEN m.`month` END FROM `clinic_months` m
      WHERE m.`clinic_id` = NEW.`clinic_id` AND m.`starts_at` <= NEW.`occurred_at` ORDER BY m.`starts_at` DESC LIMIT 1),
      strftime('%Y-%m', NEW.`occurred_at` / 1000, 'unixepoch')), 1, NEW.`amount`)
    ON CONFLICT (`clinic_id`, `month`) DO UPDATE SET `visits` = `visits` + excluded.`visits`, `visit_revenue` = `visit_revenue` + excluded.`visit_revenue`;
  INSERT OR IGNORE INTO `clinic_month_patients` (`clinic_id`, `month`, `patient_id`)
  VALUES (NEW.`clinic_id`, coalesce((SELECT CASE WHEN m.`ends_at` > NEW.`occurred_at` THEN m.`month` END FROM `clinic_months` m
      WHERE m.`clinic_id` = NEW.`clinic_id` AND m.`starts_at` <= NEW.`occurred_at` ORDER BY m.`starts_at` DESC LIMIT 1),
      strftime('%Y-%m', NEW.`occurred_at` / 1000, 'unixepoch')), NEW.`patient_id`);
END;
--> statement-breakpoint
-- Every points movement, from the side of its entry pair that is not the card: the clinic that
-- issued the points is that entry's owner (its liability or expiry account), or the counterparty of a
-- honouring party's receivable. The card moves by -points of this entry: the running balance of the
-- month and of every later month moves with it.
CREATE TRIGGER `point_entries_report` AFTER INSERT ON `point_entries` WHEN NEW.`account` <> 'patient'
BEGIN
  INSERT INTO `clinic_month_figures` (`clinic_id`, `month`, `points_issued`, `points_spent`, `points_reversed`, `points_expired`, `points_outstanding`)
    SELECT k.`clinic_id`, coalesce((SELECT CASE WHEN m.`ends_at` > NEW.`effective_at` THEN m.`month` END FROM `clinic_months` m
      WHERE m.`clinic_id` = k.`clinic_id` AND m.`starts_at` <= NEW.`effective_at` ORDER BY m.`starts_at` DESC LIMIT 1),
      strftime('%Y-%m', NEW.`effective_at` / 1000, 'unixepoch')), CASE NEW.`txn_type` WHEN 'accrual' THEN -NEW.`points` ELSE 0 END, CASE NEW.`txn_type` WHEN 'redemption' THEN NEW.`points` ELSE 0 END, CASE NEW.`txn_type` WHEN 'reversal' THEN -NEW.`points` ELSE 0 END, CASE NEW.`txn_type` WHEN 'expiry' THEN NEW.`points` ELSE 0 END, -NEW.`points` FROM (SELECT CASE WHEN NEW.`account` = 'receivable' THEN NEW.`counterparty_id` ELSE NEW.`owner_id` END AS `clinic_id`) k WHERE 1
    ON CONFLICT (`clinic_id`, `month`) DO UPDATE SET `points_issued` = `points_issued` + excluded.`points_issued`, `points_spent` = `points_spent` + excluded.`points_spent`, `points_reversed` = `points_reversed` + excluded.`points_reversed`, `points_expired` = `points_expired` + excluded.`points_expired`, `points_outstanding` = `points_outstanding` + excluded.`points_outstanding`;
  UPDATE `clinic_month_figures` SET `points_outstanding` = `points_outstanding` - NEW.`points`
  WHERE `clinic_id` = (SELECT k.`clinic_id` FROM (SELECT CASE WHEN NEW.`account` = 'receivable' THEN NEW.`counterparty_id` ELSE NEW.`owner_id` END AS `clinic_id`) k)
    AND `month` > (SELECT coalesce((SELECT CASE WHEN m.`ends_at` > NEW.`effective_at` THEN m.`month` END FROM `clinic_months` m
      WHERE m.`clinic_id` = k.`clinic_id` AND m.`starts_at` <= NEW.`effective_at` ORDER BY m.`starts_at` DESC LIMIT 1),
      strftime('%Y-%m', NEW.`effective_at` / 1000, 'unixepoch')) FROM (SELECT CASE WHEN NEW.`account` = 'receivable' THEN NEW.`counterparty_id` ELSE NEW.`owner_id` END AS `clinic_id`) k);
  INSERT OR IGNORE INTO `clinic_month_patients` (`clinic_id`, `month`, `patient_id`)
  SELECT k.`clinic_id`, coalesce((SELECT CASE WHEN m.`ends_at` > NEW.`effective_at` THEN m.`month` END FROM `clinic_months` m
      WHERE m.`clinic_id` = k.`clinic_id` AND m.`starts_at` <= NEW.`effective_at` ORDER BY m.`starts_at` DESC LIMIT 1),
      strftime('%Y-%m', NEW.`effective_at` / 1000, 'unixepoch')), NEW.`patient_id` FROM (SELECT CASE WHEN NEW.`account` = 'receivable' THEN NEW.`counterparty_id` ELSE NEW.`owner_id` END AS `clinic_id`) k
  WHERE NEW.`txn_type` = 'redemption';
END;
--> statement-breakpoint
-- A voucher counts once as issued (its month and value), as voided if it was voided before it lapsed,
-- and as lapsed (with the value it still had: breakage) once the hourly job marks it. A voucher written
-- already voided or lapsed (an import) counts as such at once.
CREATE TRIGGER `vouchers_report_insert` AFTER INSERT ON `vouchers`
BEGIN
  INSERT INTO `clinic_month_figures` (`clinic_id`, `month`, `vouchers_issued`, `vouchers_issued_value`)
    VALUES (NEW.`clinic_id`, coalesce((SELECT CASE WHEN m.`ends_at` > NEW.`issued_at` THEN m.`month` END FROM `clinic_months` m
      WHERE m.`clinic_id` = NEW.`clinic_id` AND m.`starts_at` <= NEW.`issued_at` ORDER BY m.`starts_at` DESC LIMIT 1),
      strftime('%Y-%m', NEW.`issued_at` / 1000, 'unixepoch')), 1, NEW.`value_amount`)
    ON CONFLICT (`clinic_id`, `month`) DO UPDATE SET `vouchers_issued` = `vouchers_issued` + excluded.`vouchers_issued`, `vouchers_issued_value` = `vouchers_issued_value` + excluded.`vouchers_issued_value`;
  INSERT INTO `clinic_month_figures` (`clinic_id`, `month`, `vouchers_voided`)
    SELECT NEW.`clinic_id`, coalesce((SELECT CASE WHEN m.`ends_at` > coalesce(NEW.`voided_at`, NEW.`updated_at`) THEN m.`month` END FROM `clinic_months` m
      WHERE m.`clinic_id` = NEW.`clinic_id` AND m.`starts_at` <= coalesce(NEW.`voided_at`, NEW.`updated_at`) ORDER BY m.`starts_at` DESC LIMIT 1),
      strftime('%Y-%m', coalesce(NEW.`voided_at`, NEW.`updated_at`) / 1000, 'unixepoch')), 1 WHERE (NEW.`status` = 'voided' AND NEW.`lapsed_at` IS NULL)
    ON CONFLICT (`clinic_id`, `month`) DO UPDATE SET `vouchers_voided` = `vouchers_voided` + excluded.`vouchers_voided`;
  INSERT INTO `clinic_month_figures` (`clinic_id`, `month`, `vouchers_lapsed`, `vouchers_lapsed_value`)
    SELECT NEW.`clinic_id`, coalesce((SELECT CASE WHEN m.`ends_at` > NEW.`lapsed_at` THEN m.`month` END FROM `clinic_months` m
      WHERE m.`clinic_id` = NEW.`clinic_id` AND m.`starts_at` <= NEW.`lapsed_at` ORDER BY m.`starts_at` DESC LIMIT 1),
      strftime('%Y-%m', NEW.`lapsed_at` / 1000, 'unixepoch')), 1, NEW.`remaining_amount` WHERE NEW.`lapsed_at` IS NOT NULL
    ON CONFLICT (`clinic_id`, `month`) DO UPDATE SET `vouchers_lapsed` = `vouchers_lapsed` + excluded.`vouchers_lapsed`, `vouchers_lapsed_value` = `vouchers_lapsed_value` + excluded.`vouchers_lapsed_value`;
END;
--> statement-breakpoint
-- A change of what a voucher counts as: voided, lapsed, or the value a lapsed voucher still has (a
-- reversal of a redemption gives value back to a voucher that lapsed since). What the old row counted is
-- taken off, what the new one counts is added.
CREATE TRIGGER `vouchers_report_update` AFTER UPDATE OF `status`, `lapsed_at`, `remaining_amount` ON `vouchers`
WHEN (OLD.`status` = 'voided' AND OLD.`lapsed_at` IS NULL) IS NOT (NEW.`status` = 'voided' AND NEW.`lapsed_at` IS NULL) OR OLD.`lapsed_at` IS NOT NEW.`lapsed_at`
  OR (NEW.`lapsed_at` IS NOT NULL AND OLD.`remaining_amount` <> NEW.`remaining_amount`)
BEGIN
  UPDATE `clinic_month_figures` SET `vouchers_voided` = `vouchers_voided` - 1
  WHERE (OLD.`status` = 'voided' AND OLD.`lapsed_at` IS NULL) AND NOT (NEW.`status` = 'voided' AND NEW.`lapsed_at` IS NULL)
    AND `clinic_id` = OLD.`clinic_id` AND `month` = coalesce((SELECT CASE WHEN m.`ends_at` > coalesce(OLD.`voided_at`, OLD.`updated_at`) THEN m.`month` END FROM `clinic_months` m
      WHERE m.`clinic_id` = OLD.`clinic_id` AND m.`starts_at` <= coalesce(OLD.`voided_at`, OLD.`updated_at`) ORDER BY m.`starts_at` DESC LIMIT 1),
      strftime('%Y-%m', coalesce(OLD.`voided_at`, OLD.`updated_at`) / 1000, 'unixepoch'));
  INSERT INTO `clinic_month_figures` (`clinic_id`, `month`, `vouchers_voided`)
    SELECT NEW.`clinic_id`, coalesce((SELECT CASE WHEN m.`ends_at` > coalesce(NEW.`voided_at`, NEW.`updated_at`) THEN m.`month` END FROM `clinic_months` m
      WHERE m.`clinic_id` = NEW.`clinic_id` AND m.`starts_at` <= coalesce(NEW.`voided_at`, NEW.`updated_at`) ORDER BY m.`starts_at` DESC LIMIT 1),
      strftime('%Y-%m', coalesce(NEW.`voided_at`, NEW.`updated_at`) / 1000, 'unixepoch')), 1 WHERE (NEW.`status` = 'voided' AND NEW.`lapsed_at` IS NULL) AND NOT (OLD.`status` = 'voided' AND OLD.`lapsed_at` IS NULL)
    ON CONFLICT (`clinic_id`, `month`) DO UPDATE SET `vouchers_voided` = `vouchers_voided` + excluded.`vouchers_voided`;
  UPDATE `clinic_month_figures` SET `vouchers_lapsed` = `vouchers_lapsed` - 1,
    `vouchers_lapsed_value` = `vouchers_lapsed_value` - OLD.`remaining_amount`
  WHERE OLD.`lapsed_at` IS NOT NULL AND `clinic_id` = OLD.`clinic_id` AND `month` = coalesce((SELECT CASE WHEN m.`ends_at` > OLD.`lapsed_at` THEN m.`month` END FROM `clinic_months` m
      WHERE m.`clinic_id` = OLD.`clinic_id` AND m.`starts_at` <= OLD.`lapsed_at` ORDER BY m.`starts_at` DESC LIMIT 1),
      strftime('%Y-%m', OLD.`lapsed_at` / 1000, 'unixepoch'));
  INSERT INTO `clinic_month_figures` (`clinic_id`, `month`, `vouchers_lapsed`, `vouchers_lapsed_value`)
    SELECT NEW.`clinic_id`, coalesce((SELECT CASE WHEN m.`ends_at` > NEW.`lapsed_at` THEN m.`month` END FROM `clinic_months` m
      WHERE m.`clinic_id` = NEW.`clinic_id` AND m.`starts_at` <= NEW.`lapsed_at` ORDER BY m.`starts_at` DESC LIMIT 1),
      strftime('%Y-%m', NEW.`lapsed_at` / 1000, 'unixepoch')), 1, NEW.`remaining_amount` WHERE NEW.`lapsed_at` IS NOT NULL
    ON CONFLICT (`clinic_id`, `month`) DO UPDATE SET `vouchers_lapsed` = `vouchers_lapsed` + excluded.`vouchers_lapsed`, `vouchers_lapsed_value` = `vouchers_lapsed_value` + excluded.`vouchers_lapsed_value`;
END;
--> statement-breakpoint
-- A gift redeemed at a partner: the month's redemptions and value, the redeemed share of the month it
-- was issued in, and its patient is active this month.
CREATE TRIGGER `redemptions_report` AFTER INSERT ON `redemptions`
BEGIN
  INSERT INTO `clinic_month_figures` (`clinic_id`, `month`, `vouchers_redeemed`, `vouchers_redeemed_value`)
    VALUES (NEW.`clinic_id`, coalesce((SELECT CASE WHEN m.`ends_at` > NEW.`redeemed_at` THEN m.`month` END FROM `clinic_months` m
      WHERE m.`clinic_id` = NEW.`clinic_id` AND m.`starts_at` <= NEW.`redeemed_at` ORDER BY m.`starts_at` DESC LIMIT 1),
      strftime('%Y-%m', NEW.`redeemed_at` / 1000, 'unixepoch')), 1, NEW.`amount`)
    ON CONFLICT (`clinic_id`, `month`) DO UPDATE SET `vouchers_redeemed` = `vouchers_redeemed` + excluded.`vouchers_redeemed`, `vouchers_redeemed_value` = `vouchers_redeemed_value` + excluded.`vouchers_redeemed_value`;
  INSERT INTO `clinic_month_figures` (`clinic_id`, `month`, `vouchers_issued_redeemed_value`)
    SELECT v.`clinic_id`, coalesce((SELECT CASE WHEN m.`ends_at` > v.`issued_at` THEN m.`month` END FROM `clinic_months` m
      WHERE m.`clinic_id` = v.`clinic_id` AND m.`starts_at` <= v.`issued_at` ORDER BY m.`starts_at` DESC LIMIT 1),
      strftime('%Y-%m', v.`issued_at` / 1000, 'unixepoch')), NEW.`amount` FROM `vouchers` v WHERE v.`id` = NEW.`voucher_id`
    ON CONFLICT (`clinic_id`, `month`) DO UPDATE SET `vouchers_issued_redeemed_value` = `vouchers_issued_redeemed_value` + excluded.`vouchers_issued_redeemed_value`;
  INSERT OR IGNORE INTO `clinic_month_patients` (`clinic_id`, `month`, `patient_id`)
  SELECT NEW.`clinic_id`, coalesce((SELECT CASE WHEN m.`ends_at` > NEW.`redeemed_at` THEN m.`month` END FROM `clinic_months` m
      WHERE m.`clinic_id` = NEW.`clinic_id` AND m.`starts_at` <= NEW.`redeemed_at` ORDER BY m.`starts_at` DESC LIMIT 1),
      strftime('%Y-%m', NEW.`redeemed_at` / 1000, 'unixepoch')), v.`patient_id` FROM `vouchers` v WHERE v.`id` = NEW.`voucher_id`;
END;
--> statement-breakpoint
-- A reversed redemption comes off the redemptions of the month it is reversed in, and off the redeemed
-- share of the month its voucher was issued in.
CREATE TRIGGER `voucher_reversals_report` AFTER INSERT ON `voucher_reversals`
BEGIN
  INSERT INTO `clinic_month_figures` (`clinic_id`, `month`, `vouchers_redeemed`, `vouchers_redeemed_value`)
    SELECT r.`clinic_id`, coalesce((SELECT CASE WHEN m.`ends_at` > NEW.`reversed_at` THEN m.`month` END FROM `clinic_months` m
      WHERE m.`clinic_id` = r.`clinic_id` AND m.`starts_at` <= NEW.`reversed_at` ORDER BY m.`starts_at` DESC LIMIT 1),
      strftime('%Y-%m', NEW.`reversed_at` / 1000, 'unixepoch')), -1, -NEW.`amount` FROM `redemptions` r WHERE r.`id` = NEW.`redemption_id`
    ON CONFLICT (`clinic_id`, `month`) DO UPDATE SET `vouchers_redeemed` = `vouchers_redeemed` + excluded.`vouchers_redeemed`, `vouchers_redeemed_value` = `vouchers_redeemed_value` + excluded.`vouchers_redeemed_value`;
  INSERT INTO `clinic_month_figures` (`clinic_id`, `month`, `vouchers_issued_redeemed_value`)
    SELECT v.`clinic_id`, coalesce((SELECT CASE WHEN m.`ends_at` > v.`issued_at` THEN m.`month` END FROM `clinic_months` m
      WHERE m.`clinic_id` = v.`clinic_id` AND m.`starts_at` <= v.`issued_at` ORDER BY m.`starts_at` DESC LIMIT 1),
      strftime('%Y-%m', v.`issued_at` / 1000, 'unixepoch')), -NEW.`amount` FROM `vouchers` v WHERE v.`id` = NEW.`voucher_id`
    ON CONFLICT (`clinic_id`, `month`) DO UPDATE SET `vouchers_issued_redeemed_value` = `vouchers_issued_redeemed_value` + excluded.`vouchers_issued_redeemed_value`;
END;
