CREATE TABLE `api_keys` (
	`id` text PRIMARY KEY NOT NULL,
	`organization_id` text NOT NULL,
	`name` text,
	`prefix` text NOT NULL,
	`secret_hash` text NOT NULL,
	`created_at` integer NOT NULL,
	`revoked_at` integer,
	`last_used_at` integer,
	FOREIGN KEY (`organization_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_keys_secret_hash_unique` ON `api_keys` (`secret_hash`);--> statement-breakpoint
CREATE INDEX `api_keys_organization_idx` ON `api_keys` (`organization_id`,`id`);--> statement-breakpoint
CREATE TABLE `idempotency_keys` (
	`scope` text NOT NULL,
	`key` text NOT NULL,
	`request_hash` text NOT NULL,
	`state` text NOT NULL,
	`claim` text NOT NULL,
	`response_status` integer,
	`response_body` text,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	PRIMARY KEY(`scope`, `key`)
);
--> statement-breakpoint
CREATE INDEX `idempotency_keys_expires_idx` ON `idempotency_keys` (`expires_at`);--> statement-breakpoint
CREATE TABLE `organizations` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`name` text NOT NULL,
	`category` text,
	`currency` text NOT NULL,
	`timezone` text NOT NULL,
	`email` text,
	`phone` text,
	`address` text,
	`website` text,
	`booking_url` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	CONSTRAINT "organizations_kind_check" CHECK("organizations"."kind" in ('clinic', 'partner')),
	CONSTRAINT "organizations_category_check" CHECK(("organizations"."kind" = 'partner' and "organizations"."category" is not null) or ("organizations"."kind" = 'clinic' and "organizations"."category" is null))
);
--> statement-breakpoint
CREATE INDEX `organizations_kind_idx` ON `organizations` (`kind`,`id`);--> statement-breakpoint
CREATE TABLE `consent_events` (
	`id` text PRIMARY KEY NOT NULL,
	`patient_id` text NOT NULL,
	`channel` text NOT NULL,
	`granted` integer NOT NULL,
	`source` text NOT NULL,
	`api_key_id` text,
	`recorded_at` integer NOT NULL,
	FOREIGN KEY (`patient_id`) REFERENCES `patients`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`api_key_id`) REFERENCES `api_keys`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `consent_events_patient_idx` ON `consent_events` (`patient_id`,`recorded_at`);--> statement-breakpoint
CREATE TABLE `patients` (
	`id` text PRIMARY KEY NOT NULL,
	`clinic_id` text NOT NULL,
	`first_name` text NOT NULL,
	`last_name` text NOT NULL,
	`email` text,
	`phone` text,
	`birth_date` text,
	`tags` text DEFAULT '[]' NOT NULL,
	`notes` text,
	`consent_email` integer DEFAULT false NOT NULL,
	`consent_sms` integer DEFAULT false NOT NULL,
	`card_number` text NOT NULL,
	`search_text` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`clinic_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "patients_card_number_check" CHECK(length("patients"."card_number") = 16)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `patients_card_number_unique` ON `patients` (`card_number`);--> statement-breakpoint
CREATE INDEX `patients_clinic_idx` ON `patients` (`clinic_id`,`id`);--> statement-breakpoint
CREATE INDEX `patients_clinic_email_idx` ON `patients` (`clinic_id`,`email`);--> statement-breakpoint
CREATE INDEX `patients_clinic_phone_idx` ON `patients` (`clinic_id`,`phone`);