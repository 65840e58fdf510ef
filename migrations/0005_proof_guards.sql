CREATE TABLE `abuse_counters` (
	`subject` text PRIMARY KEY NOT NULL,
	`window_start` integer NOT NULL,
	`failures` integer NOT NULL,
	`locked_until` integer
);
--> statement-breakpoint
CREATE INDEX `abuse_counters_window_idx` ON `abuse_counters` (`window_start`);--> statement-breakpoint
CREATE TABLE `page_sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`key_id` text NOT NULL,
	`organization_id` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`ended_at` integer,
	FOREIGN KEY (`key_id`) REFERENCES `api_keys`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`organization_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `page_sessions_expires_idx` ON `page_sessions` (`expires_at`);--> statement-breakpoint
CREATE TABLE `reconciliation_findings` (
	`id` text PRIMARY KEY NOT NULL,
	`run_id` text NOT NULL,
	`check` text NOT NULL,
	`subject_id` text NOT NULL,
	`expected` integer NOT NULL,
	`actual` integer NOT NULL,
	`detail` text NOT NULL,
	`found_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `reconciliation_findings_found_idx` ON `reconciliation_findings` (`found_at`,`id`);--> statement-breakpoint
CREATE TRIGGER `reconciliation_findings_append_only` BEFORE UPDATE ON `reconciliation_findings`
BEGIN SELECT RAISE(ABORT, 'reconciliation findings are append-only'); END;
