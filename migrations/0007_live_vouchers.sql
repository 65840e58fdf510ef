ALTER TABLE `vouchers` ADD `lapsed_at` integer;--> statement-breakpoint
CREATE INDEX `vouchers_clinic_live_idx` ON `vouchers` (`clinic_id`,`id`) WHERE "vouchers"."status" = 'issued' and "vouchers"."lapsed_at" is null;--> statement-breakpoint
CREATE INDEX `vouchers_lapsing_idx` ON `vouchers` (`expires_at`) WHERE "vouchers"."status" = 'issued' and "vouchers"."lapsed_at" is null;--> statement-breakpoint
CREATE INDEX `point_redemption_lots_lot_idx` ON `point_redemption_lots` (`lot_id`);