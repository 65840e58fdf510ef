CREATE TABLE `message_events` (
	`id` text PRIMARY KEY NOT NULL,
	`message_id` text NOT NULL,
	`status` text NOT NULL,
	`detail` text,
	`at` integer NOT NULL,
	FOREIGN KEY (`message_id`) REFERENCES `messages`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `message_events_message_idx` ON `message_events` (`message_id`,`at`);--> statement-breakpoint
CREATE TABLE `message_templates` (
	`clinic_id` text NOT NULL,
	`kind` text NOT NULL,
	`channel` text NOT NULL,
	`locale` text NOT NULL,
	`subject` text,
	`body` text NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`clinic_id`, `kind`, `channel`, `locale`),
	FOREIGN KEY (`clinic_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `messages` (
	`id` text PRIMARY KEY NOT NULL,
	`clinic_id` text NOT NULL,
	`patient_id` text,
	`kind` text NOT NULL,
	`purpose` text NOT NULL,
	`channel` text NOT NULL,
	`reason_key` text NOT NULL,
	`vars` text NOT NULL,
	`status` text DEFAULT 'queued' NOT NULL,
	`suppressed_reason` text,
	`not_before` integer,
	`attempts` integer DEFAULT 0 NOT NULL,
	`last_error` text,
	`to_address` text,
	`locale` text,
	`subject` text,
	`body` text,
	`provider` text,
	`provider_id` text,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`claimed_at` integer,
	`sent_at` integer,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`clinic_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`patient_id`) REFERENCES `patients`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "messages_attempts_check" CHECK("messages"."attempts" >= 0)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `messages_reason_idx` ON `messages` (`clinic_id`,`reason_key`);--> statement-breakpoint
CREATE INDEX `messages_clinic_idx` ON `messages` (`clinic_id`,`id`);--> statement-breakpoint
CREATE INDEX `messages_clinic_status_idx` ON `messages` (`clinic_id`,`status`,`id`);--> statement-breakpoint
CREATE INDEX `messages_patient_idx` ON `messages` (`patient_id`,`id`);--> statement-breakpoint
CREATE INDEX `messages_due_idx` ON `messages` (`status`,`not_before`);--> statement-breakpoint
CREATE INDEX `messages_provider_idx` ON `messages` (`provider`,`provider_id`);--> statement-breakpoint
CREATE TABLE `messaging_settings` (
	`clinic_id` text PRIMARY KEY NOT NULL,
	`quiet_start_minute` integer DEFAULT 1260 NOT NULL,
	`quiet_end_minute` integer DEFAULT 480 NOT NULL,
	`monthly_cap` integer DEFAULT 4 NOT NULL,
	`expiry_reminder_days` integer DEFAULT 14,
	`survey_delay_hours` integer DEFAULT 24,
	`birthday_greetings` integer DEFAULT true NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`clinic_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `patient_message_months` (
	`patient_id` text NOT NULL,
	`month` text NOT NULL,
	`marketing_sent` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`patient_id`, `month`),
	FOREIGN KEY (`patient_id`) REFERENCES `patients`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
ALTER TABLE `consent_events` ADD `scope` text DEFAULT 'all' NOT NULL;--> statement-breakpoint
ALTER TABLE `patients` ADD `consent_email_service` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `patients` ADD `consent_sms_service` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `patients` ADD `locale` text DEFAULT 'en' NOT NULL;--> statement-breakpoint
ALTER TABLE `patients` ADD `timezone` text;--> statement-breakpoint
ALTER TABLE `patients` ADD `email_invalid_at` integer;--> statement-breakpoint
ALTER TABLE `patients` ADD `phone_invalid_at` integer;--> statement-breakpoint
ALTER TABLE `patients` ADD `card_photo_key` text;