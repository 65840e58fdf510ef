CREATE TABLE `loyalty_programs` (
	`id` text PRIMARY KEY NOT NULL,
	`clinic_id` text NOT NULL,
	`version` integer NOT NULL,
	`accrual_rate_bps` integer NOT NULL,
	`expiry_days` integer NOT NULL,
	`min_redemption_points` integer NOT NULL,
	`max_bill_share_bps` integer,
	`discount_tiers` text NOT NULL,
	`currency` text NOT NULL,
	`api_key_id` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`clinic_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "loyalty_programs_rate_check" CHECK("loyalty_programs"."accrual_rate_bps" between 0 and 10000),
	CONSTRAINT "loyalty_programs_expiry_check" CHECK("loyalty_programs"."expiry_days" between 1 and 3660),
	CONSTRAINT "loyalty_programs_min_check" CHECK("loyalty_programs"."min_redemption_points" >= 0),
	CONSTRAINT "loyalty_programs_share_check" CHECK("loyalty_programs"."max_bill_share_bps" is null or "loyalty_programs"."max_bill_share_bps" between 1 and 10000)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `loyalty_programs_clinic_version_unique` ON `loyalty_programs` (`clinic_id`,`version`);--> statement-breakpoint
CREATE TABLE `point_accounts` (
	`patient_id` text PRIMARY KEY NOT NULL,
	`clinic_id` text NOT NULL,
	`balance` integer NOT NULL,
	`earned` integer NOT NULL,
	`spent` integer NOT NULL,
	`expired` integer NOT NULL,
	`lifetime_spend` integer NOT NULL,
	`currency` text NOT NULL,
	`discount_bps` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`patient_id`) REFERENCES `patients`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`clinic_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "point_accounts_balance_check" CHECK("point_accounts"."balance" >= 0 and "point_accounts"."balance" = "point_accounts"."earned" - "point_accounts"."spent" - "point_accounts"."expired"),
	CONSTRAINT "point_accounts_figures_check" CHECK("point_accounts"."spent" >= 0 and "point_accounts"."expired" >= 0 and "point_accounts"."lifetime_spend" >= 0)
);
--> statement-breakpoint
CREATE TABLE `point_entries` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`txn_id` text NOT NULL,
	`txn_type` text NOT NULL,
	`account` text NOT NULL,
	`owner_id` text NOT NULL,
	`patient_id` text NOT NULL,
	`counterparty_id` text,
	`source_id` text NOT NULL,
	`points` integer NOT NULL,
	`value_amount` integer NOT NULL,
	`currency` text NOT NULL,
	`balance_after` integer,
	`effective_at` integer NOT NULL,
	`booked_at` integer NOT NULL,
	CONSTRAINT "point_entries_points_check" CHECK("point_entries"."points" <> 0),
	CONSTRAINT "point_entries_balance_check" CHECK(("point_entries"."account" = 'patient') = ("point_entries"."balance_after" is not null) and coalesce("point_entries"."balance_after", 0) >= 0)
);
--> statement-breakpoint
CREATE INDEX `point_entries_account_idx` ON `point_entries` (`account`,`owner_id`,`seq`);--> statement-breakpoint
CREATE INDEX `point_entries_txn_idx` ON `point_entries` (`txn_id`);--> statement-breakpoint
CREATE TABLE `point_lots` (
	`id` text PRIMARY KEY NOT NULL,
	`patient_id` text NOT NULL,
	`clinic_id` text NOT NULL,
	`visit_id` text NOT NULL,
	`points` integer NOT NULL,
	`remaining` integer NOT NULL,
	`expired` integer DEFAULT 0 NOT NULL,
	`earned_at` integer NOT NULL,
	`expires_on` text NOT NULL,
	`expires_at` integer NOT NULL,
	FOREIGN KEY (`patient_id`) REFERENCES `patients`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`clinic_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`visit_id`) REFERENCES `visits`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "point_lots_remaining_check" CHECK("point_lots"."points" > 0 and "point_lots"."remaining" >= 0 and "point_lots"."expired" >= 0 and "point_lots"."remaining" + "point_lots"."expired" <= "point_lots"."points")
);
--> statement-breakpoint
CREATE UNIQUE INDEX `point_lots_visit_unique` ON `point_lots` (`visit_id`);--> statement-breakpoint
CREATE INDEX `point_lots_live_idx` ON `point_lots` (`patient_id`,`expires_at`,`id`) WHERE "point_lots"."remaining" > 0;--> statement-breakpoint
CREATE INDEX `point_lots_clinic_live_idx` ON `point_lots` (`clinic_id`,`expires_at`) WHERE "point_lots"."remaining" > 0;--> statement-breakpoint
CREATE INDEX `point_lots_due_idx` ON `point_lots` (`expires_at`) WHERE "point_lots"."remaining" > 0;--> statement-breakpoint
CREATE TABLE `point_redemption_lots` (
	`redemption_id` text NOT NULL,
	`lot_id` text NOT NULL,
	`points` integer NOT NULL,
	PRIMARY KEY(`redemption_id`, `lot_id`),
	FOREIGN KEY (`redemption_id`) REFERENCES `point_redemptions`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`lot_id`) REFERENCES `point_lots`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "point_redemption_lots_points_check" CHECK("point_redemption_lots"."points" > 0)
);
--> statement-breakpoint
CREATE TABLE `point_redemptions` (
	`id` text PRIMARY KEY NOT NULL,
	`patient_id` text NOT NULL,
	`clinic_id` text NOT NULL,
	`honoured_by` text NOT NULL,
	`api_key_id` text,
	`points` integer NOT NULL,
	`value_amount` integer NOT NULL,
	`payable_amount` integer NOT NULL,
	`currency` text NOT NULL,
	`bill_amount` integer,
	`reference` text,
	`redeemed_at` integer NOT NULL,
	FOREIGN KEY (`patient_id`) REFERENCES `patients`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`clinic_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`honoured_by`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "point_redemptions_points_check" CHECK("point_redemptions"."points" > 0 and "point_redemptions"."payable_amount" >= 0)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `point_redemptions_reference_unique` ON `point_redemptions` (`honoured_by`,`reference`);--> statement-breakpoint
CREATE INDEX `point_redemptions_honoured_idx` ON `point_redemptions` (`honoured_by`,`redeemed_at`);--> statement-breakpoint
CREATE INDEX `point_redemptions_clinic_idx` ON `point_redemptions` (`clinic_id`,`redeemed_at`);--> statement-breakpoint
CREATE TABLE `point_reversals` (
	`id` text PRIMARY KEY NOT NULL,
	`redemption_id` text NOT NULL,
	`patient_id` text NOT NULL,
	`points` integer NOT NULL,
	`api_key_id` text,
	`reversed_at` integer NOT NULL,
	FOREIGN KEY (`redemption_id`) REFERENCES `point_redemptions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `point_reversals_redemption_unique` ON `point_reversals` (`redemption_id`);--> statement-breakpoint
CREATE TABLE `visits` (
	`id` text PRIMARY KEY NOT NULL,
	`clinic_id` text NOT NULL,
	`patient_id` text NOT NULL,
	`reference` text,
	`amount` integer NOT NULL,
	`currency` text NOT NULL,
	`occurred_at` integer NOT NULL,
	`program_version` integer NOT NULL,
	`accrual_rate_bps` integer NOT NULL,
	`points_earned` integer NOT NULL,
	`api_key_id` text,
	`recorded_at` integer NOT NULL,
	FOREIGN KEY (`clinic_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`patient_id`) REFERENCES `patients`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "visits_amount_check" CHECK("visits"."amount" > 0 and "visits"."points_earned" >= 0)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `visits_clinic_reference_unique` ON `visits` (`clinic_id`,`reference`);--> statement-breakpoint
CREATE INDEX `visits_patient_idx` ON `visits` (`patient_id`,`occurred_at`);--> statement-breakpoint
-- Append-only ledger, enforced by the database (added by hand: drizzle-kit does not model triggers).
CREATE TRIGGER `point_entries_no_update` BEFORE UPDATE ON `point_entries`
BEGIN SELECT RAISE(ABORT, 'point_entries is append-only: book a reversal instead'); END;
--> statement-breakpoint
CREATE TRIGGER `point_entries_no_delete` BEFORE DELETE ON `point_entries`
BEGIN SELECT RAISE(ABORT, 'point_entries is append-only: book a reversal instead'); END;
