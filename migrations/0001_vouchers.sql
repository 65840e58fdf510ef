CREATE TABLE `offers` (
	`id` text PRIMARY KEY NOT NULL,
	`partner_id` text NOT NULL,
	`title` text NOT NULL,
	`description` text,
	`category` text NOT NULL,
	`currency` text NOT NULL,
	`price_amount` integer NOT NULL,
	`retail_amount` integer,
	`terms` text,
	`active` integer DEFAULT true NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`partner_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "offers_price_check" CHECK("offers"."price_amount" >= 0 and ("offers"."retail_amount" is null or "offers"."retail_amount" >= 0))
);
--> statement-breakpoint
CREATE INDEX `offers_partner_idx` ON `offers` (`partner_id`,`id`);--> statement-breakpoint
CREATE INDEX `offers_category_idx` ON `offers` (`category`,`id`);--> statement-breakpoint
CREATE TABLE `redemptions` (
	`id` text PRIMARY KEY NOT NULL,
	`voucher_id` text NOT NULL,
	`clinic_id` text NOT NULL,
	`partner_id` text NOT NULL,
	`api_key_id` text,
	`amount` integer NOT NULL,
	`currency` text NOT NULL,
	`payable_amount` integer NOT NULL,
	`redeemed_at` integer NOT NULL,
	FOREIGN KEY (`voucher_id`) REFERENCES `vouchers`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`clinic_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`partner_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "redemptions_amount_check" CHECK("redemptions"."amount" > 0 and "redemptions"."payable_amount" >= 0)
);
--> statement-breakpoint
CREATE INDEX `redemptions_voucher_idx` ON `redemptions` (`voucher_id`,`id`);--> statement-breakpoint
CREATE INDEX `redemptions_partner_idx` ON `redemptions` (`partner_id`,`redeemed_at`);--> statement-breakpoint
CREATE INDEX `redemptions_clinic_idx` ON `redemptions` (`clinic_id`,`redeemed_at`);--> statement-breakpoint
CREATE TABLE `voucher_reversals` (
	`id` text PRIMARY KEY NOT NULL,
	`redemption_id` text NOT NULL,
	`voucher_id` text NOT NULL,
	`partner_id` text NOT NULL,
	`amount` integer NOT NULL,
	`currency` text NOT NULL,
	`reversed_at` integer NOT NULL,
	FOREIGN KEY (`redemption_id`) REFERENCES `redemptions`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`voucher_id`) REFERENCES `vouchers`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `voucher_reversals_redemption_unique` ON `voucher_reversals` (`redemption_id`);--> statement-breakpoint
CREATE TABLE `vouchers` (
	`id` text PRIMARY KEY NOT NULL,
	`clinic_id` text NOT NULL,
	`patient_id` text NOT NULL,
	`kind` text NOT NULL,
	`offer_id` text,
	`partner_id` text,
	`category` text,
	`audience` text NOT NULL,
	`title` text NOT NULL,
	`message` text,
	`currency` text NOT NULL,
	`value_amount` integer NOT NULL,
	`remaining_amount` integer NOT NULL,
	`status` text NOT NULL,
	`kid` text NOT NULL,
	`issued_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`voided_at` integer,
	`void_reason` text,
	`last_redemption_id` text,
	`last_redemption_amount` integer,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`clinic_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`patient_id`) REFERENCES `patients`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`offer_id`) REFERENCES `offers`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`partner_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "vouchers_remaining_check" CHECK("vouchers"."remaining_amount" >= 0 and "vouchers"."remaining_amount" <= "vouchers"."value_amount"),
	CONSTRAINT "vouchers_status_check" CHECK("vouchers"."status" in ('issued', 'redeemed', 'voided')),
	CONSTRAINT "vouchers_audience_check" CHECK("vouchers"."partner_id" is not null or "vouchers"."category" is not null)
);
--> statement-breakpoint
CREATE INDEX `vouchers_clinic_idx` ON `vouchers` (`clinic_id`,`id`);--> statement-breakpoint
CREATE INDEX `vouchers_patient_idx` ON `vouchers` (`patient_id`,`id`);