CREATE TABLE `network_settings` (
	`id` text PRIMARY KEY NOT NULL,
	`version` integer NOT NULL,
	`fee_bps` integer NOT NULL,
	`closing_grace_days` integer NOT NULL,
	`created_at` integer NOT NULL,
	CONSTRAINT "network_settings_fee_check" CHECK("network_settings"."fee_bps" >= 0 and "network_settings"."fee_bps" <= 10000),
	CONSTRAINT "network_settings_grace_check" CHECK("network_settings"."closing_grace_days" >= 0 and "network_settings"."closing_grace_days" <= 28)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `network_settings_version_unique` ON `network_settings` (`version`);--> statement-breakpoint
CREATE TABLE `settlement_lines` (
	`id` text PRIMARY KEY NOT NULL,
	`period` text NOT NULL,
	`kind` text NOT NULL,
	`entry` text NOT NULL,
	`redemption_id` text NOT NULL,
	`source_id` text NOT NULL,
	`payer_id` text NOT NULL,
	`payee_id` text NOT NULL,
	`voucher_id` text,
	`card_last4` text,
	`title` text NOT NULL,
	`points` integer,
	`currency` text NOT NULL,
	`gross` integer NOT NULL,
	`fee_bps` integer NOT NULL,
	`fee` integer NOT NULL,
	`net` integer NOT NULL,
	`settings_version` integer NOT NULL,
	`kid` text NOT NULL,
	`occurred_at` integer NOT NULL,
	CONSTRAINT "settlement_lines_net_check" CHECK("settlement_lines"."net" = "settlement_lines"."gross" - "settlement_lines"."fee"),
	CONSTRAINT "settlement_lines_kind_check" CHECK("settlement_lines"."kind" in ('voucher', 'points')),
	CONSTRAINT "settlement_lines_entry_check" CHECK("settlement_lines"."entry" in ('redemption', 'reversal'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `settlement_lines_source_unique` ON `settlement_lines` (`source_id`);--> statement-breakpoint
CREATE INDEX `settlement_lines_period_idx` ON `settlement_lines` (`period`,`id`);--> statement-breakpoint
CREATE INDEX `settlement_lines_payer_idx` ON `settlement_lines` (`payer_id`,`period`,`id`);--> statement-breakpoint
CREATE INDEX `settlement_lines_payee_idx` ON `settlement_lines` (`payee_id`,`period`,`id`);--> statement-breakpoint
CREATE INDEX `settlement_lines_redemption_idx` ON `settlement_lines` (`redemption_id`);--> statement-breakpoint
CREATE TABLE `settlement_periods` (
	`period` text PRIMARY KEY NOT NULL,
	`closed_at` integer NOT NULL,
	`settings_version` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `settlement_totals` (
	`period` text NOT NULL,
	`payer_id` text NOT NULL,
	`payee_id` text NOT NULL,
	`currency` text NOT NULL,
	`redemptions` integer NOT NULL,
	`reversals` integer NOT NULL,
	`gross` integer NOT NULL,
	`fee` integer NOT NULL,
	`net` integer NOT NULL,
	`closed_at` integer,
	PRIMARY KEY(`period`, `payer_id`, `payee_id`, `currency`)
);
--> statement-breakpoint
CREATE INDEX `settlement_totals_payee_idx` ON `settlement_totals` (`payee_id`,`period`);--> statement-breakpoint
CREATE INDEX `settlement_totals_payer_idx` ON `settlement_totals` (`payer_id`,`period`);--> statement-breakpoint
-- Append-only lines; closed periods never change (added by hand: drizzle-kit does not model triggers).
CREATE TRIGGER `settlement_lines_no_update` BEFORE UPDATE ON `settlement_lines`
BEGIN SELECT RAISE(ABORT, 'settlement_lines is append-only: a reversal writes a line of its own'); END;
--> statement-breakpoint
CREATE TRIGGER `settlement_lines_no_delete` BEFORE DELETE ON `settlement_lines`
BEGIN SELECT RAISE(ABORT, 'settlement_lines is append-only: a reversal writes a line of its own'); END;
--> statement-breakpoint
CREATE TRIGGER `settlement_lines_closed_period` BEFORE INSERT ON `settlement_lines`
WHEN EXISTS (SELECT 1 FROM `settlement_periods` p WHERE p.`period` = NEW.`period`)
BEGIN SELECT RAISE(ABORT, 'this settlement period is closed'); END;
--> statement-breakpoint
CREATE TRIGGER `settlement_totals_closed_no_update` BEFORE UPDATE ON `settlement_totals`
WHEN OLD.`closed_at` IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'the totals of a closed period never change'); END;
--> statement-breakpoint
CREATE TRIGGER `settlement_totals_no_delete` BEFORE DELETE ON `settlement_totals`
BEGIN SELECT RAISE(ABORT, 'settlement totals are never deleted'); END;
--> statement-breakpoint
CREATE TRIGGER `settlement_periods_no_update` BEFORE UPDATE ON `settlement_periods`
BEGIN SELECT RAISE(ABORT, 'a closed period never changes'); END;
--> statement-breakpoint
CREATE TRIGGER `settlement_periods_no_delete` BEFORE DELETE ON `settlement_periods`
BEGIN SELECT RAISE(ABORT, 'a closed period never changes'); END;
