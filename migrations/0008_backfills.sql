CREATE TABLE `job_state` (
	`name` text PRIMARY KEY NOT NULL,
	`cursor` text NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `voucher_reversals_voucher_idx` ON `voucher_reversals` (`voucher_id`);