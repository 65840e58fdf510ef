-- INSERT OR REPLACE deletes the row it replaces without firing the delete triggers: refuse any insert
-- that would replace a settlement line or a closed period, so "append-only" and "closed never
-- changes" hold for every kind of statement (added by hand: drizzle-kit does not model triggers).
CREATE TRIGGER `settlement_lines_no_replace` BEFORE INSERT ON `settlement_lines`
WHEN EXISTS (SELECT 1 FROM `settlement_lines` l WHERE l.`id` = NEW.`id` OR l.`source_id` = NEW.`source_id`)
BEGIN SELECT RAISE(ABORT, 'settlement_lines is append-only: a line is never replaced'); END;
--> statement-breakpoint
CREATE TRIGGER `settlement_periods_no_replace` BEFORE INSERT ON `settlement_periods`
WHEN EXISTS (SELECT 1 FROM `settlement_periods` p WHERE p.`period` = NEW.`period`)
BEGIN SELECT RAISE(ABORT, 'a closed period never changes'); END;
