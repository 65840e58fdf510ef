CREATE TABLE `calendar_feeds` (
	`staff_id` text PRIMARY KEY NOT NULL,
	`clinic_id` text NOT NULL,
	`token_hash` text NOT NULL,
	`created_at` integer NOT NULL,
	`last_fetched_at` integer,
	FOREIGN KEY (`staff_id`) REFERENCES `staff_members`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`clinic_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `calendar_feeds_token_hash_unique` ON `calendar_feeds` (`token_hash`);--> statement-breakpoint
CREATE TABLE `code_word_codes` (
	`code` text NOT NULL,
	`clinic_id` text NOT NULL,
	`code_word_id` text NOT NULL,
	`patient_id` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`clinic_id`, `code`),
	FOREIGN KEY (`clinic_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`code_word_id`) REFERENCES `code_words`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`patient_id`) REFERENCES `patients`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `code_word_codes_patient_unique` ON `code_word_codes` (`code_word_id`,`patient_id`);--> statement-breakpoint
CREATE TABLE `code_word_uses` (
	`id` text PRIMARY KEY NOT NULL,
	`code_word_id` text NOT NULL,
	`clinic_id` text NOT NULL,
	`patient_id` text NOT NULL,
	`seq` integer NOT NULL,
	`total_seq` integer NOT NULL,
	`reward_id` text,
	`staff_id` text,
	`api_key_id` text,
	`used_at` integer NOT NULL,
	FOREIGN KEY (`code_word_id`) REFERENCES `code_words`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`clinic_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`patient_id`) REFERENCES `patients`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`reward_id`) REFERENCES `loyalty_rewards`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`staff_id`) REFERENCES `staff_members`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`api_key_id`) REFERENCES `api_keys`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `code_word_uses_patient_unique` ON `code_word_uses` (`code_word_id`,`patient_id`,`seq`);--> statement-breakpoint
CREATE UNIQUE INDEX `code_word_uses_total_unique` ON `code_word_uses` (`code_word_id`,`total_seq`);--> statement-breakpoint
CREATE INDEX `code_word_uses_patient_idx` ON `code_word_uses` (`patient_id`,`used_at`);--> statement-breakpoint
CREATE TABLE `code_words` (
	`id` text PRIMARY KEY NOT NULL,
	`clinic_id` text NOT NULL,
	`word` text NOT NULL,
	`description` text,
	`reward_kind` text NOT NULL,
	`points` integer,
	`discount_bps` integer,
	`discount_amount` integer,
	`offer_id` text,
	`currency` text NOT NULL,
	`valid_from` integer NOT NULL,
	`valid_until` integer NOT NULL,
	`total_limit` integer,
	`per_patient_limit` integer DEFAULT 1 NOT NULL,
	`segment_id` text,
	`per_patient_codes` integer DEFAULT false NOT NULL,
	`uses` integer DEFAULT 0 NOT NULL,
	`ended_at` integer,
	`created_by_staff_id` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`clinic_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`offer_id`) REFERENCES `offers`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`created_by_staff_id`) REFERENCES `staff_members`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "code_words_limits_check" CHECK("code_words"."per_patient_limit" >= 1 and ("code_words"."total_limit" is null or "code_words"."total_limit" >= 1)),
	CONSTRAINT "code_words_uses_check" CHECK("code_words"."total_limit" is null or "code_words"."uses" <= "code_words"."total_limit"),
	CONSTRAINT "code_words_window_check" CHECK("code_words"."valid_until" > "code_words"."valid_from")
);
--> statement-breakpoint
CREATE UNIQUE INDEX `code_words_word_unique` ON `code_words` (`clinic_id`,`word`);--> statement-breakpoint
CREATE TABLE `loyalty_rewards` (
	`id` text PRIMARY KEY NOT NULL,
	`clinic_id` text NOT NULL,
	`patient_id` text NOT NULL,
	`source` text NOT NULL,
	`source_id` text NOT NULL,
	`reason_key` text NOT NULL,
	`kind` text NOT NULL,
	`title` text NOT NULL,
	`points` integer,
	`discount_bps` integer,
	`discount_amount` integer,
	`currency` text NOT NULL,
	`offer_id` text,
	`voucher_id` text,
	`visit_id` text,
	`status` text NOT NULL,
	`granted_at` integer NOT NULL,
	`used_at` integer,
	`api_key_id` text,
	FOREIGN KEY (`clinic_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`patient_id`) REFERENCES `patients`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`offer_id`) REFERENCES `offers`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`voucher_id`) REFERENCES `vouchers`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`visit_id`) REFERENCES `visits`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`api_key_id`) REFERENCES `api_keys`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "loyalty_rewards_kind_check" CHECK(("loyalty_rewards"."kind" = 'points' and "loyalty_rewards"."points" > 0)
        or ("loyalty_rewards"."kind" = 'discount_bps' and "loyalty_rewards"."discount_bps" between 1 and 10000)
        or ("loyalty_rewards"."kind" = 'discount_amount' and "loyalty_rewards"."discount_amount" > 0)
        or ("loyalty_rewards"."kind" = 'voucher' and "loyalty_rewards"."offer_id" is not null))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `loyalty_rewards_reason_unique` ON `loyalty_rewards` (`clinic_id`,`reason_key`);--> statement-breakpoint
CREATE INDEX `loyalty_rewards_patient_idx` ON `loyalty_rewards` (`patient_id`,`granted_at`);--> statement-breakpoint
CREATE INDEX `loyalty_rewards_source_idx` ON `loyalty_rewards` (`clinic_id`,`source`,`granted_at`);--> statement-breakpoint
CREATE TABLE `loyalty_settings` (
	`clinic_id` text PRIMARY KEY NOT NULL,
	`referral_reward_kind` text,
	`referral_points` integer,
	`referral_offer_id` text,
	`referral_cap_per_year` integer DEFAULT 5 NOT NULL,
	`birthday_reward_kind` text,
	`birthday_points` integer,
	`birthday_offer_id` text,
	`birthday_days_before` integer DEFAULT 7 NOT NULL,
	`vip_segment_id` text,
	`vip_gifts_per_year` integer,
	`vip_perk_offer_ids` text DEFAULT '[]' NOT NULL,
	`updated_by_staff_id` text,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`clinic_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`referral_offer_id`) REFERENCES `offers`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`birthday_offer_id`) REFERENCES `offers`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`updated_by_staff_id`) REFERENCES `staff_members`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `patient_plans` (
	`patient_id` text PRIMARY KEY NOT NULL,
	`clinic_id` text NOT NULL,
	`owner_staff_id` text,
	`template_id` text,
	`template_version` integer,
	`horizon_on` text,
	`generation` integer DEFAULT 0 NOT NULL,
	`generated_at` integer,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`patient_id`) REFERENCES `patients`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`clinic_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`owner_staff_id`) REFERENCES `staff_members`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`template_id`) REFERENCES `plan_templates`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `patient_plans_clinic_idx` ON `patient_plans` (`clinic_id`,`patient_id`);--> statement-breakpoint
CREATE TABLE `plan_items` (
	`id` text PRIMARY KEY NOT NULL,
	`clinic_id` text NOT NULL,
	`patient_id` text NOT NULL,
	`template_id` text,
	`kind` text NOT NULL,
	`channel` text NOT NULL,
	`purpose` text NOT NULL,
	`due_on` text NOT NULL,
	`owner_staff_id` text,
	`offer_id` text,
	`cost_amount` integer,
	`currency` text,
	`status` text DEFAULT 'planned' NOT NULL,
	`outcome` text,
	`done_at` integer,
	`done_by_staff_id` text,
	`source` text NOT NULL,
	`event_key` text,
	`generation` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`clinic_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`patient_id`) REFERENCES `patients`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`template_id`) REFERENCES `plan_templates`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`owner_staff_id`) REFERENCES `staff_members`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`offer_id`) REFERENCES `offers`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`done_by_staff_id`) REFERENCES `staff_members`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "plan_items_cost_check" CHECK("plan_items"."cost_amount" is null or "plan_items"."cost_amount" >= 0)
);
--> statement-breakpoint
CREATE INDEX `plan_items_patient_idx` ON `plan_items` (`patient_id`,`due_on`);--> statement-breakpoint
CREATE INDEX `plan_items_owner_idx` ON `plan_items` (`clinic_id`,`owner_staff_id`,`status`,`due_on`);--> statement-breakpoint
CREATE INDEX `plan_items_clinic_due_idx` ON `plan_items` (`clinic_id`,`status`,`due_on`);--> statement-breakpoint
CREATE UNIQUE INDEX `plan_items_event_unique` ON `plan_items` (`patient_id`,`event_key`);--> statement-breakpoint
CREATE TABLE `plan_templates` (
	`id` text PRIMARY KEY NOT NULL,
	`clinic_id` text NOT NULL,
	`segment_key` text NOT NULL,
	`name` text NOT NULL,
	`priority` integer DEFAULT 0 NOT NULL,
	`interactions_per_year` integer NOT NULL,
	`mix` text NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`updated_by_staff_id` text,
	`api_key_id` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`clinic_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`updated_by_staff_id`) REFERENCES `staff_members`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`api_key_id`) REFERENCES `api_keys`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "plan_templates_count_check" CHECK("plan_templates"."interactions_per_year" between 1 and 52)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `plan_templates_segment_unique` ON `plan_templates` (`clinic_id`,`segment_key`);--> statement-breakpoint
CREATE TABLE `referral_codes` (
	`patient_id` text PRIMARY KEY NOT NULL,
	`clinic_id` text NOT NULL,
	`code` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`patient_id`) REFERENCES `patients`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`clinic_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `referral_codes_code_unique` ON `referral_codes` (`code`);--> statement-breakpoint
CREATE TABLE `referrals` (
	`id` text PRIMARY KEY NOT NULL,
	`clinic_id` text NOT NULL,
	`referrer_id` text NOT NULL,
	`referee_id` text NOT NULL,
	`code` text NOT NULL,
	`created_at` integer NOT NULL,
	`qualifying_visit_id` text,
	`qualified_at` integer,
	FOREIGN KEY (`clinic_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`referrer_id`) REFERENCES `patients`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`referee_id`) REFERENCES `patients`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`qualifying_visit_id`) REFERENCES `visits`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "referrals_self_check" CHECK("referrals"."referrer_id" <> "referrals"."referee_id")
);
--> statement-breakpoint
CREATE UNIQUE INDEX `referrals_referee_unique` ON `referrals` (`referee_id`);--> statement-breakpoint
CREATE INDEX `referrals_referrer_idx` ON `referrals` (`referrer_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `referrals_clinic_idx` ON `referrals` (`clinic_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `vip_marks` (
	`patient_id` text PRIMARY KEY NOT NULL,
	`clinic_id` text NOT NULL,
	`reason` text,
	`marked_by_staff_id` text,
	`marked_at` integer NOT NULL,
	FOREIGN KEY (`patient_id`) REFERENCES `patients`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`clinic_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`marked_by_staff_id`) REFERENCES `staff_members`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `visit_punches` (
	`visit_id` text NOT NULL,
	`rule_id` text NOT NULL,
	`clinic_id` text NOT NULL,
	`patient_id` text NOT NULL,
	`occurred_at` integer NOT NULL,
	`reward_id` text,
	`voided_at` integer,
	PRIMARY KEY(`visit_id`, `rule_id`),
	FOREIGN KEY (`visit_id`) REFERENCES `visits`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`rule_id`) REFERENCES `visit_rules`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`clinic_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`patient_id`) REFERENCES `patients`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`reward_id`) REFERENCES `loyalty_rewards`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `visit_punches_open_idx` ON `visit_punches` (`rule_id`,`patient_id`,`occurred_at`) WHERE "visit_punches"."reward_id" is null and "visit_punches"."voided_at" is null;--> statement-breakpoint
CREATE INDEX `visit_punches_patient_idx` ON `visit_punches` (`patient_id`,`rule_id`,`occurred_at`);--> statement-breakpoint
CREATE TABLE `visit_reversals` (
	`id` text PRIMARY KEY NOT NULL,
	`visit_id` text NOT NULL,
	`clinic_id` text NOT NULL,
	`patient_id` text NOT NULL,
	`points` integer NOT NULL,
	`amount` integer NOT NULL,
	`reason` text,
	`api_key_id` text,
	`reversed_at` integer NOT NULL,
	FOREIGN KEY (`visit_id`) REFERENCES `visits`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`clinic_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`patient_id`) REFERENCES `patients`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`api_key_id`) REFERENCES `api_keys`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `visit_reversals_visit_unique` ON `visit_reversals` (`visit_id`);--> statement-breakpoint
CREATE INDEX `visit_reversals_patient_idx` ON `visit_reversals` (`patient_id`,`reversed_at`);--> statement-breakpoint
CREATE TABLE `visit_rules` (
	`id` text PRIMARY KEY NOT NULL,
	`clinic_id` text NOT NULL,
	`name` text NOT NULL,
	`every_visits` integer NOT NULL,
	`window_days` integer,
	`reward_kind` text NOT NULL,
	`points` integer,
	`discount_bps` integer,
	`discount_amount` integer,
	`offer_id` text,
	`currency` text NOT NULL,
	`active` integer DEFAULT true NOT NULL,
	`starts_at` integer NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`clinic_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`offer_id`) REFERENCES `offers`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "visit_rules_every_check" CHECK("visit_rules"."every_visits" between 2 and 100),
	CONSTRAINT "visit_rules_window_check" CHECK("visit_rules"."window_days" is null or "visit_rules"."window_days" >= 1)
);
--> statement-breakpoint
CREATE INDEX `visit_rules_clinic_idx` ON `visit_rules` (`clinic_id`,`active`);--> statement-breakpoint
-- point_lots rebuilt so that a lot can come from a reward instead of a visit (SQLite cannot drop a NOT
-- NULL in place). D1 runs a migration in one transaction: foreign keys are checked at its end.
PRAGMA defer_foreign_keys = on;--> statement-breakpoint
DROP TRIGGER `point_lots_next_expiry_insert`;--> statement-breakpoint
DROP TRIGGER `point_lots_next_expiry_update`;--> statement-breakpoint
DROP TRIGGER `point_accounts_next_expiry_insert`;--> statement-breakpoint
CREATE TABLE `__new_point_lots` (
	`id` text PRIMARY KEY NOT NULL,
	`patient_id` text NOT NULL,
	`clinic_id` text NOT NULL,
	`visit_id` text,
	`reward_id` text,
	`points` integer NOT NULL,
	`remaining` integer NOT NULL,
	`expired` integer DEFAULT 0 NOT NULL,
	`earned_at` integer NOT NULL,
	`expires_on` text NOT NULL,
	`expires_at` integer NOT NULL,
	FOREIGN KEY (`patient_id`) REFERENCES `patients`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`clinic_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`visit_id`) REFERENCES `visits`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "point_lots_source_check" CHECK(("__new_point_lots"."visit_id" is null) <> ("__new_point_lots"."reward_id" is null)),
	CONSTRAINT "point_lots_remaining_check" CHECK("__new_point_lots"."points" > 0 and "__new_point_lots"."remaining" >= 0 and "__new_point_lots"."expired" >= 0 and "__new_point_lots"."remaining" + "__new_point_lots"."expired" <= "__new_point_lots"."points")
);
--> statement-breakpoint
INSERT INTO `__new_point_lots`("id", "patient_id", "clinic_id", "visit_id", "reward_id", "points", "remaining", "expired", "earned_at", "expires_on", "expires_at") SELECT "id", "patient_id", "clinic_id", "visit_id", NULL, "points", "remaining", "expired", "earned_at", "expires_on", "expires_at" FROM `point_lots`;--> statement-breakpoint
DROP TABLE `point_lots`;--> statement-breakpoint
ALTER TABLE `__new_point_lots` RENAME TO `point_lots`;--> statement-breakpoint
PRAGMA defer_foreign_keys = off;--> statement-breakpoint
CREATE UNIQUE INDEX `point_lots_visit_unique` ON `point_lots` (`visit_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `point_lots_reward_unique` ON `point_lots` (`reward_id`);--> statement-breakpoint
CREATE INDEX `point_lots_live_idx` ON `point_lots` (`patient_id`,`expires_at`,`id`) WHERE "point_lots"."remaining" > 0;--> statement-breakpoint
CREATE INDEX `point_lots_clinic_live_idx` ON `point_lots` (`clinic_id`,`expires_at`) WHERE "point_lots"."remaining" > 0;--> statement-breakpoint
CREATE INDEX `point_lots_due_idx` ON `point_lots` (`expires_at`) WHERE "point_lots"."remaining" > 0;
--> statement-breakpoint
-- The card's next-expiry triggers, dropped with the old point_lots above, as they were (0006).
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
-- Bonus points count as issued, and a reversed visit's points taken back as issued less (0013 counted
-- accruals only).
DROP TRIGGER `point_entries_report`;
--> statement-breakpoint
CREATE TRIGGER `point_entries_report` AFTER INSERT ON `point_entries` WHEN NEW.`account` <> 'patient'
BEGIN
  INSERT INTO `clinic_month_figures` (`clinic_id`, `month`, `points_issued`, `points_spent`, `points_reversed`, `points_expired`, `points_outstanding`)
    SELECT k.`clinic_id`, coalesce((SELECT CASE WHEN m.`ends_at` > NEW.`effective_at` THEN m.`month` END FROM `clinic_months` m
      WHERE m.`clinic_id` = k.`clinic_id` AND m.`starts_at` <= NEW.`effective_at` ORDER BY m.`starts_at` DESC LIMIT 1),
      strftime('%Y-%m', NEW.`effective_at` / 1000, 'unixepoch')), CASE WHEN NEW.`txn_type` IN ('accrual', 'bonus', 'correction') THEN -NEW.`points` ELSE 0 END, CASE NEW.`txn_type` WHEN 'redemption' THEN NEW.`points` ELSE 0 END, CASE NEW.`txn_type` WHEN 'reversal' THEN -NEW.`points` ELSE 0 END, CASE NEW.`txn_type` WHEN 'expiry' THEN NEW.`points` ELSE 0 END, -NEW.`points` FROM (SELECT CASE WHEN NEW.`account` = 'receivable' THEN NEW.`counterparty_id` ELSE NEW.`owner_id` END AS `clinic_id`) k WHERE 1
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
-- Every patient has a referral code: 10 characters from 40 random bits, written with the patient. A
-- collision (rare) leaves the patient without one; referralCodeOf() makes one on first use.
CREATE TRIGGER `patients_referral_code` AFTER INSERT ON `patients`
BEGIN
  INSERT OR IGNORE INTO `referral_codes` (`patient_id`, `clinic_id`, `code`, `created_at`)
  VALUES (NEW.`id`, NEW.`clinic_id`, upper(hex(randomblob(5))), NEW.`created_at`);
END;
--> statement-breakpoint
INSERT OR IGNORE INTO `referral_codes` (`patient_id`, `clinic_id`, `code`, `created_at`)
SELECT `id`, `clinic_id`, upper(hex(randomblob(5))), `created_at` FROM `patients`;
