CREATE TABLE `vip_perk_vouchers` (
	`voucher_id` text PRIMARY KEY NOT NULL,
	`clinic_id` text NOT NULL,
	`patient_id` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`voucher_id`) REFERENCES `vouchers`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`clinic_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`patient_id`) REFERENCES `patients`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `vip_perk_vouchers_patient_idx` ON `vip_perk_vouchers` (`patient_id`);--> statement-breakpoint
-- Birthdays are selected by month-day (MM-DD) per clinic, so the daily birthday step reads only the
-- patients whose birthday is near, never the clinic's whole list. Written by hand: drizzle-kit does not
-- know expression indexes; queries must use exactly `substr(birth_date, 6, 5)`.
CREATE INDEX `patients_birthday_idx` ON `patients` (`clinic_id`, substr(`birth_date`, 6, 5));
