-- The loyalty plan's events (issue 12), written where the event itself is written, so that no path that
-- records a visit or a survey answer can forget them.
--
-- A paid visit closes the patient's due win-back: planned `win_back` items due on or before the visit's
-- day + 30 days (UTC day: a day either way does not matter at 30 days) become done.
CREATE TRIGGER `plan_items_visit_closes_win_back` AFTER INSERT ON `visits`
BEGIN
  UPDATE `plan_items` SET `status` = 'done', `outcome` = 'Came back: paid visit', `done_at` = NEW.`occurred_at`,
    `updated_at` = NEW.`recorded_at`
  WHERE `patient_id` = NEW.`patient_id` AND `kind` = 'win_back' AND `status` = 'planned'
    AND `due_on` <= date(NEW.`occurred_at` / 1000, 'unixepoch', '+30 days');
END;
--> statement-breakpoint
-- A detractor's answer (0-6) adds a call by the plan's owner, due 2 days after, once per answer
-- (event_key UNIQUE per patient); its id is the answer's, so it sorts with it.
CREATE TRIGGER `plan_items_detractor_follow_up` AFTER INSERT ON `survey_responses` WHEN NEW.`score` <= 6
BEGIN
  INSERT OR IGNORE INTO `plan_items` (`id`, `clinic_id`, `patient_id`, `template_id`, `kind`, `channel`, `purpose`,
    `due_on`, `owner_staff_id`, `offer_id`, `cost_amount`, `currency`, `status`, `outcome`, `done_at`,
    `done_by_staff_id`, `source`, `event_key`, `generation`, `created_at`, `updated_at`)
  VALUES ('pli_' || substr(NEW.`id`, 5), NEW.`clinic_id`, NEW.`patient_id`, NULL, 'detractor_follow_up', 'call',
    'Call back: their survey scored ' || NEW.`score` || ' of 10',
    date(NEW.`submitted_at` / 1000, 'unixepoch', '+2 days'),
    (SELECT pp.`owner_staff_id` FROM `patient_plans` pp WHERE pp.`patient_id` = NEW.`patient_id`),
    NULL, NULL, NULL, 'planned', NULL, NULL, NULL, 'event', 'detractor:' || NEW.`id`, 0,
    NEW.`submitted_at`, NEW.`submitted_at`);
END;
