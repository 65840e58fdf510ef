-- A reversed visit (visit_reversals, written once per visit) comes off what the visit's own triggers
-- counted (0013 visits_report, 0016 visits_insight): the visits and revenue of the clinic month it
-- occurred in, the patient's month activity, and the behaviour columns of their insight row (first
-- and last visit and the cohort re-derived from the visits not reversed). The patient stays counted
-- as active that month (clinic_month_patients): the from-scratch rebuild counts the same way.
CREATE TRIGGER `visit_reversals_report` AFTER INSERT ON `visit_reversals`
BEGIN
  UPDATE `clinic_month_figures` SET `visits` = `visits` - 1, `visit_revenue` = `visit_revenue` - NEW.`amount`
  WHERE `clinic_id` = NEW.`clinic_id` AND `month` = (SELECT coalesce((SELECT CASE WHEN m.`ends_at` > v.`occurred_at` THEN m.`month` END FROM `clinic_months` m
      WHERE m.`clinic_id` = v.`clinic_id` AND m.`starts_at` <= v.`occurred_at` ORDER BY m.`starts_at` DESC LIMIT 1),
      strftime('%Y-%m', v.`occurred_at` / 1000, 'unixepoch')) FROM `visits` v WHERE v.`id` = NEW.`visit_id`);
END;
--> statement-breakpoint
CREATE TRIGGER `visit_reversals_insight` AFTER INSERT ON `visit_reversals`
BEGIN
  UPDATE `patient_month_activity` SET `spend` = `spend` - NEW.`amount`, `visits` = `visits` - 1
  WHERE `patient_id` = NEW.`patient_id` AND `month` = (SELECT coalesce((SELECT CASE WHEN m.`ends_at` > v.`occurred_at` THEN m.`month` END FROM `clinic_months` m
      WHERE m.`clinic_id` = v.`clinic_id` AND m.`starts_at` <= v.`occurred_at` ORDER BY m.`starts_at` DESC LIMIT 1),
      strftime('%Y-%m', v.`occurred_at` / 1000, 'unixepoch')) FROM `visits` v WHERE v.`id` = NEW.`visit_id`);
  UPDATE `patient_insight` SET
    `first_visit_at` = (SELECT min(v.`occurred_at`) FROM `visits` v WHERE v.`patient_id` = NEW.`patient_id`
      AND NOT EXISTS (SELECT 1 FROM `visit_reversals` x WHERE x.`visit_id` = v.`id`)),
    `last_visit_at` = (SELECT max(v.`occurred_at`) FROM `visits` v WHERE v.`patient_id` = NEW.`patient_id`
      AND NOT EXISTS (SELECT 1 FROM `visit_reversals` x WHERE x.`visit_id` = v.`id`)),
    `visit_count` = max(0, `visit_count` - 1),
    `lifetime_spend` = max(0, `lifetime_spend` - NEW.`amount`),
    `spend_12m` = max(0, `spend_12m` - (SELECT CASE WHEN v.`occurred_at` > v.`recorded_at` - 31536000000 THEN v.`amount` ELSE 0 END FROM `visits` v WHERE v.`id` = NEW.`visit_id`)),
    `visits_12m` = max(0, `visits_12m` - (SELECT CASE WHEN v.`occurred_at` > v.`recorded_at` - 31536000000 THEN 1 ELSE 0 END FROM `visits` v WHERE v.`id` = NEW.`visit_id`)),
    `cohort_month` = (SELECT CASE WHEN f.`at` IS NULL THEN NULL ELSE coalesce((SELECT CASE WHEN m.`ends_at` > f.`at` THEN m.`month` END FROM `clinic_months` m
        WHERE m.`clinic_id` = NEW.`clinic_id` AND m.`starts_at` <= f.`at` ORDER BY m.`starts_at` DESC LIMIT 1),
        strftime('%Y-%m', f.`at` / 1000, 'unixepoch')) END
      FROM (SELECT min(v.`occurred_at`) AS `at` FROM `visits` v WHERE v.`patient_id` = NEW.`patient_id`
        AND NOT EXISTS (SELECT 1 FROM `visit_reversals` x WHERE x.`visit_id` = v.`id`)) f)
  WHERE `patient_id` = NEW.`patient_id`;
END;
