CREATE TABLE `clinic_branches` (
	`id` text PRIMARY KEY NOT NULL,
	`clinic_id` text NOT NULL,
	`name` text NOT NULL,
	`address` text,
	`latitude_e6` integer,
	`longitude_e6` integer,
	`created_at` integer NOT NULL,
	`archived_at` integer,
	FOREIGN KEY (`clinic_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `clinic_branches_clinic_idx` ON `clinic_branches` (`clinic_id`,`name`);--> statement-breakpoint
CREATE TABLE `clinic_insight_counts` (
	`clinic_id` text NOT NULL,
	`dimension` text NOT NULL,
	`value` text NOT NULL,
	`patients` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`clinic_id`, `dimension`, `value`)
);
--> statement-breakpoint
CREATE TABLE `clinic_month_insight` (
	`clinic_id` text NOT NULL,
	`month` text NOT NULL,
	`dimension` text NOT NULL,
	`value` text NOT NULL,
	`patients` integer DEFAULT 0 NOT NULL,
	`engagement_sum` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`clinic_id`, `dimension`, `month`, `value`)
);
--> statement-breakpoint
CREATE TABLE `clinic_month_nps` (
	`clinic_id` text NOT NULL,
	`month` text NOT NULL,
	`responses` integer DEFAULT 0 NOT NULL,
	`promoters` integer DEFAULT 0 NOT NULL,
	`passives` integer DEFAULT 0 NOT NULL,
	`detractors` integer DEFAULT 0 NOT NULL,
	`score_sum` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`clinic_id`, `month`)
);
--> statement-breakpoint
CREATE TABLE `insight_settings` (
	`clinic_id` text PRIMARY KEY NOT NULL,
	`abc_a_bps` integer DEFAULT 8000 NOT NULL,
	`abc_b_bps` integer DEFAULT 1500 NOT NULL,
	`budget_a` integer,
	`budget_b` integer,
	`budget_c` integer,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`clinic_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `patient_insight` (
	`patient_id` text PRIMARY KEY NOT NULL,
	`clinic_id` text NOT NULL,
	`first_visit_at` integer,
	`last_visit_at` integer,
	`visit_count` integer DEFAULT 0 NOT NULL,
	`lifetime_spend` integer DEFAULT 0 NOT NULL,
	`spend_12m` integer DEFAULT 0 NOT NULL,
	`spend_prev_12m` integer DEFAULT 0 NOT NULL,
	`visits_12m` integer DEFAULT 0 NOT NULL,
	`usual_interval_days` integer,
	`redemptions` integer DEFAULT 0 NOT NULL,
	`link_opens` integer DEFAULT 0 NOT NULL,
	`last_open_at` integer,
	`cohort_month` text,
	`survey_score` integer,
	`survey_at` integer,
	`survey_count` integer DEFAULT 0 NOT NULL,
	`preference_tags` text DEFAULT '[]' NOT NULL,
	`categories` text DEFAULT '[]' NOT NULL,
	`preferred_branch_id` text,
	`preferred_channel` text,
	`preferred_time` text,
	`birth_month` integer,
	`answers` text DEFAULT '{}' NOT NULL,
	`answered_at` integer,
	`abc_class` text,
	`growth` text,
	`loyal` integer,
	`quadrant` text DEFAULT 'unknown' NOT NULL,
	`reasons` text DEFAULT '[]' NOT NULL,
	`engagement` integer DEFAULT 0 NOT NULL,
	`engagement_prev` integer,
	`win_back` integer DEFAULT false NOT NULL,
	`win_back_reason` text,
	`overdue_days` integer DEFAULT 0 NOT NULL,
	`refreshed_at` integer NOT NULL,
	FOREIGN KEY (`patient_id`) REFERENCES `patients`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`clinic_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "patient_insight_quadrant_check" CHECK("patient_insight"."quadrant" in ('apostle', 'mercenary', 'hostage', 'defector', 'unknown')),
	CONSTRAINT "patient_insight_abc_check" CHECK("patient_insight"."abc_class" is null or "patient_insight"."abc_class" in ('A', 'B', 'C')),
	CONSTRAINT "patient_insight_engagement_check" CHECK("patient_insight"."engagement" between 0 and 100)
);
--> statement-breakpoint
CREATE INDEX `patient_insight_clinic_idx` ON `patient_insight` (`clinic_id`,`spend_12m`);--> statement-breakpoint
CREATE INDEX `patient_insight_quadrant_idx` ON `patient_insight` (`clinic_id`,`quadrant`);--> statement-breakpoint
CREATE INDEX `patient_insight_win_back_idx` ON `patient_insight` (`clinic_id`,`win_back`,`overdue_days`);--> statement-breakpoint
CREATE TABLE `patient_links` (
	`id` text PRIMARY KEY NOT NULL,
	`clinic_id` text NOT NULL,
	`patient_id` text NOT NULL,
	`purpose` text NOT NULL,
	`visit_id` text,
	`api_key_id` text,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`opens` integer DEFAULT 0 NOT NULL,
	`first_opened_at` integer,
	`last_opened_at` integer,
	`completed_at` integer,
	`revoked_at` integer,
	FOREIGN KEY (`clinic_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`patient_id`) REFERENCES `patients`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`api_key_id`) REFERENCES `api_keys`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "patient_links_purpose_check" CHECK("patient_links"."purpose" in ('questionnaire', 'survey'))
);
--> statement-breakpoint
CREATE INDEX `patient_links_patient_idx` ON `patient_links` (`patient_id`,`purpose`,`created_at`);--> statement-breakpoint
CREATE UNIQUE INDEX `patient_links_visit_idx` ON `patient_links` (`visit_id`,`purpose`);--> statement-breakpoint
CREATE TABLE `patient_quadrant_months` (
	`patient_id` text NOT NULL,
	`month` text NOT NULL,
	`clinic_id` text NOT NULL,
	`quadrant` text NOT NULL,
	PRIMARY KEY(`patient_id`, `month`)
);
--> statement-breakpoint
CREATE TABLE `questionnaire_responses` (
	`id` text PRIMARY KEY NOT NULL,
	`clinic_id` text NOT NULL,
	`patient_id` text NOT NULL,
	`questionnaire_id` text NOT NULL,
	`version` integer NOT NULL,
	`answers` text NOT NULL,
	`source` text NOT NULL,
	`link_id` text,
	`api_key_id` text,
	`submitted_at` integer NOT NULL,
	FOREIGN KEY (`clinic_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`patient_id`) REFERENCES `patients`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`questionnaire_id`) REFERENCES `questionnaires`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`link_id`) REFERENCES `patient_links`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`api_key_id`) REFERENCES `api_keys`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `questionnaire_responses_patient_idx` ON `questionnaire_responses` (`patient_id`,`submitted_at`);--> statement-breakpoint
CREATE TABLE `questionnaires` (
	`id` text PRIMARY KEY NOT NULL,
	`clinic_id` text NOT NULL,
	`version` integer NOT NULL,
	`title` text NOT NULL,
	`intro` text,
	`questions` text NOT NULL,
	`api_key_id` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`clinic_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`api_key_id`) REFERENCES `api_keys`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `questionnaires_clinic_version_idx` ON `questionnaires` (`clinic_id`,`version`);--> statement-breakpoint
CREATE TABLE `segments` (
	`id` text PRIMARY KEY NOT NULL,
	`clinic_id` text NOT NULL,
	`name` text NOT NULL,
	`description` text,
	`rules` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`archived_at` integer,
	FOREIGN KEY (`clinic_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `segments_clinic_idx` ON `segments` (`clinic_id`,`archived_at`,`name`);--> statement-breakpoint
CREATE TABLE `suggestions` (
	`id` text PRIMARY KEY NOT NULL,
	`clinic_id` text NOT NULL,
	`patient_id` text NOT NULL,
	`survey_response_id` text,
	`text` text NOT NULL,
	`status` text DEFAULT 'new' NOT NULL,
	`reply` text,
	`created_at` integer NOT NULL,
	`status_changed_at` integer NOT NULL,
	`notified_at` integer,
	FOREIGN KEY (`clinic_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`patient_id`) REFERENCES `patients`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`survey_response_id`) REFERENCES `survey_responses`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "suggestions_status_check" CHECK("suggestions"."status" in ('new', 'planned', 'implemented', 'declined'))
);
--> statement-breakpoint
CREATE INDEX `suggestions_clinic_idx` ON `suggestions` (`clinic_id`,`status`,`created_at`);--> statement-breakpoint
CREATE INDEX `suggestions_patient_idx` ON `suggestions` (`patient_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `survey_responses` (
	`id` text PRIMARY KEY NOT NULL,
	`clinic_id` text NOT NULL,
	`patient_id` text NOT NULL,
	`link_id` text,
	`visit_id` text,
	`score` integer NOT NULL,
	`improvement` text,
	`recommendation` text,
	`quote_permission` integer DEFAULT false NOT NULL,
	`source` text NOT NULL,
	`api_key_id` text,
	`month` text NOT NULL,
	`submitted_at` integer NOT NULL,
	FOREIGN KEY (`clinic_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`patient_id`) REFERENCES `patients`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`link_id`) REFERENCES `patient_links`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`api_key_id`) REFERENCES `api_keys`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "survey_responses_score_check" CHECK("survey_responses"."score" between 0 and 10)
);
--> statement-breakpoint
CREATE INDEX `survey_responses_clinic_idx` ON `survey_responses` (`clinic_id`,`submitted_at`);--> statement-breakpoint
CREATE INDEX `survey_responses_patient_idx` ON `survey_responses` (`patient_id`,`submitted_at`);--> statement-breakpoint
CREATE UNIQUE INDEX `survey_responses_link_idx` ON `survey_responses` (`link_id`);--> statement-breakpoint
ALTER TABLE `organizations` ADD `latitude_e6` integer;--> statement-breakpoint
ALTER TABLE `organizations` ADD `longitude_e6` integer;--> statement-breakpoint
ALTER TABLE `consent_events` ADD `wording_version` text;--> statement-breakpoint
-- NPS per clinic and month: promoters answer 9-10, passives 7-8, detractors 0-6.
CREATE TRIGGER `survey_responses_nps` AFTER INSERT ON `survey_responses`
BEGIN
  INSERT INTO `clinic_month_nps` (`clinic_id`, `month`, `responses`, `promoters`, `passives`, `detractors`, `score_sum`)
    VALUES (NEW.`clinic_id`, NEW.`month`, 1, NEW.`score` >= 9, NEW.`score` BETWEEN 7 AND 8, NEW.`score` <= 6, NEW.`score`)
    ON CONFLICT (`clinic_id`, `month`) DO UPDATE SET `responses` = `responses` + 1,
      `promoters` = `promoters` + excluded.`promoters`, `passives` = `passives` + excluded.`passives`,
      `detractors` = `detractors` + excluded.`detractors`, `score_sum` = `score_sum` + excluded.`score_sum`;
END;
--> statement-breakpoint
-- The clinic's distributions (A/B/C, quadrant, growth, win-back), counted as patient_insight rows come,
-- change and go: a distribution is read in a few rows, whatever the number of patients.
CREATE TRIGGER `patient_insight_count_insert` AFTER INSERT ON `patient_insight`
BEGIN
  INSERT INTO `clinic_insight_counts` (`clinic_id`, `dimension`, `value`, `patients`)
    VALUES (NEW.`clinic_id`, 'abc', coalesce(NEW.`abc_class`, 'none'), 1),
           (NEW.`clinic_id`, 'quadrant', NEW.`quadrant`, 1),
           (NEW.`clinic_id`, 'growth', coalesce(NEW.`growth`, 'none'), 1),
           (NEW.`clinic_id`, 'win_back', CASE WHEN NEW.`win_back` THEN 'yes' ELSE 'no' END, 1)
    ON CONFLICT (`clinic_id`, `dimension`, `value`) DO UPDATE SET `patients` = `patients` + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `patient_insight_count_delete` AFTER DELETE ON `patient_insight`
BEGIN
  UPDATE `clinic_insight_counts` SET `patients` = `patients` - 1
  WHERE `clinic_id` = OLD.`clinic_id` AND ((`dimension` = 'abc' AND `value` = coalesce(OLD.`abc_class`, 'none'))
    OR (`dimension` = 'quadrant' AND `value` = OLD.`quadrant`)
    OR (`dimension` = 'growth' AND `value` = coalesce(OLD.`growth`, 'none'))
    OR (`dimension` = 'win_back' AND `value` = CASE WHEN OLD.`win_back` THEN 'yes' ELSE 'no' END));
END;
--> statement-breakpoint
CREATE TRIGGER `patient_insight_count_update` AFTER UPDATE OF `abc_class`, `quadrant`, `growth`, `win_back` ON `patient_insight`
WHEN coalesce(OLD.`abc_class`, 'none') <> coalesce(NEW.`abc_class`, 'none') OR OLD.`quadrant` <> NEW.`quadrant`
  OR coalesce(OLD.`growth`, 'none') <> coalesce(NEW.`growth`, 'none') OR OLD.`win_back` <> NEW.`win_back`
BEGIN
  UPDATE `clinic_insight_counts` SET `patients` = `patients` - 1
  WHERE `clinic_id` = OLD.`clinic_id` AND ((`dimension` = 'abc' AND `value` = coalesce(OLD.`abc_class`, 'none'))
    OR (`dimension` = 'quadrant' AND `value` = OLD.`quadrant`)
    OR (`dimension` = 'growth' AND `value` = coalesce(OLD.`growth`, 'none'))
    OR (`dimension` = 'win_back' AND `value` = CASE WHEN OLD.`win_back` THEN 'yes' ELSE 'no' END));
  INSERT INTO `clinic_insight_counts` (`clinic_id`, `dimension`, `value`, `patients`)
    VALUES (NEW.`clinic_id`, 'abc', coalesce(NEW.`abc_class`, 'none'), 1),
           (NEW.`clinic_id`, 'quadrant', NEW.`quadrant`, 1),
           (NEW.`clinic_id`, 'growth', coalesce(NEW.`growth`, 'none'), 1),
           (NEW.`clinic_id`, 'win_back', CASE WHEN NEW.`win_back` THEN 'yes' ELSE 'no' END, 1)
    ON CONFLICT (`clinic_id`, `dimension`, `value`) DO UPDATE SET `patients` = `patients` + 1;
END;
