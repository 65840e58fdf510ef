ALTER TABLE `offers` ADD `photo_key` text;--> statement-breakpoint
ALTER TABLE `offers` ADD `photo_type` text;--> statement-breakpoint
ALTER TABLE `offers` ADD `photo_updated_at` integer;