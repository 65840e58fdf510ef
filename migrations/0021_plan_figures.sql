CREATE TABLE `plan_month_figures` (
	`clinic_id` text NOT NULL,
	`month` text NOT NULL,
	`channel` text NOT NULL,
	`planned` integer DEFAULT 0 NOT NULL,
	`done` integer DEFAULT 0 NOT NULL,
	`skipped` integer DEFAULT 0 NOT NULL,
	`planned_cost` integer DEFAULT 0 NOT NULL,
	`done_cost` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`clinic_id`, `month`, `channel`),
	FOREIGN KEY (`clinic_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `plan_owner_open` (
	`clinic_id` text NOT NULL,
	`owner_key` text NOT NULL,
	`month` text NOT NULL,
	`planned` integer NOT NULL,
	PRIMARY KEY(`clinic_id`, `owner_key`, `month`),
	FOREIGN KEY (`clinic_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `plan_patient_months` (
	`patient_id` text NOT NULL,
	`month` text NOT NULL,
	`done` integer NOT NULL,
	PRIMARY KEY(`patient_id`, `month`)
);
--> statement-breakpoint
-- The plan's figures follow plan_items: every insert adds the item to its month (and its owner's open
-- count, and its patient's done count), every delete takes it away, and an update of what the figures
-- depend on (status, owner, due date, channel, cost) takes the old item away and adds the new one.
CREATE TRIGGER plan_items_figures_insert AFTER INSERT ON plan_items BEGIN
  INSERT INTO plan_month_figures (clinic_id, month, channel, planned, done, skipped, planned_cost, done_cost)
  VALUES (new.clinic_id, substr(new.due_on, 1, 7), new.channel, new.status = 'planned', new.status = 'done',
    new.status = 'skipped', CASE WHEN new.status = 'planned' THEN coalesce(new.cost_amount, 0) ELSE 0 END,
    CASE WHEN new.status = 'done' THEN coalesce(new.cost_amount, 0) ELSE 0 END)
  ON CONFLICT (clinic_id, month, channel) DO UPDATE SET planned = planned + excluded.planned,
    done = done + excluded.done, skipped = skipped + excluded.skipped,
    planned_cost = planned_cost + excluded.planned_cost, done_cost = done_cost + excluded.done_cost;
  INSERT INTO plan_owner_open (clinic_id, owner_key, month, planned)
  SELECT new.clinic_id, coalesce(new.owner_staff_id, ''), substr(new.due_on, 1, 7), 1 WHERE new.status = 'planned'
  ON CONFLICT (clinic_id, owner_key, month) DO UPDATE SET planned = planned + 1;
  INSERT INTO plan_patient_months (patient_id, month, done)
  SELECT new.patient_id, substr(new.due_on, 1, 7), 1 WHERE new.status = 'done'
  ON CONFLICT (patient_id, month) DO UPDATE SET done = done + 1;
END;
--> statement-breakpoint
CREATE TRIGGER plan_items_figures_delete AFTER DELETE ON plan_items BEGIN
  UPDATE plan_month_figures SET planned = planned - (old.status = 'planned'),
    done = done - (old.status = 'done'), skipped = skipped - (old.status = 'skipped'),
    planned_cost = planned_cost - CASE WHEN old.status = 'planned' THEN coalesce(old.cost_amount, 0) ELSE 0 END,
    done_cost = done_cost - CASE WHEN old.status = 'done' THEN coalesce(old.cost_amount, 0) ELSE 0 END
  WHERE clinic_id = old.clinic_id AND month = substr(old.due_on, 1, 7) AND channel = old.channel;
  UPDATE plan_owner_open SET planned = planned - 1
  WHERE old.status = 'planned' AND clinic_id = old.clinic_id AND owner_key = coalesce(old.owner_staff_id, '')
    AND month = substr(old.due_on, 1, 7);
  DELETE FROM plan_owner_open
  WHERE old.status = 'planned' AND clinic_id = old.clinic_id AND owner_key = coalesce(old.owner_staff_id, '')
    AND month = substr(old.due_on, 1, 7) AND planned <= 0;
  UPDATE plan_patient_months SET done = done - 1
  WHERE old.status = 'done' AND patient_id = old.patient_id AND month = substr(old.due_on, 1, 7);
END;
--> statement-breakpoint
CREATE TRIGGER plan_items_figures_update
AFTER UPDATE OF status, owner_staff_id, due_on, channel, cost_amount ON plan_items BEGIN
  UPDATE plan_month_figures SET planned = planned - (old.status = 'planned'),
    done = done - (old.status = 'done'), skipped = skipped - (old.status = 'skipped'),
    planned_cost = planned_cost - CASE WHEN old.status = 'planned' THEN coalesce(old.cost_amount, 0) ELSE 0 END,
    done_cost = done_cost - CASE WHEN old.status = 'done' THEN coalesce(old.cost_amount, 0) ELSE 0 END
  WHERE clinic_id = old.clinic_id AND month = substr(old.due_on, 1, 7) AND channel = old.channel;
  UPDATE plan_owner_open SET planned = planned - 1
  WHERE old.status = 'planned' AND clinic_id = old.clinic_id AND owner_key = coalesce(old.owner_staff_id, '')
    AND month = substr(old.due_on, 1, 7);
  DELETE FROM plan_owner_open
  WHERE old.status = 'planned' AND clinic_id = old.clinic_id AND owner_key = coalesce(old.owner_staff_id, '')
    AND month = substr(old.due_on, 1, 7) AND planned <= 0;
  UPDATE plan_patient_months SET done = done - 1
  WHERE old.status = 'done' AND patient_id = old.patient_id AND month = substr(old.due_on, 1, 7);
  INSERT INTO plan_month_figures (clinic_id, month, channel, planned, done, skipped, planned_cost, done_cost)
  VALUES (new.clinic_id, substr(new.due_on, 1, 7), new.channel, new.status = 'planned', new.status = 'done',
    new.status = 'skipped', CASE WHEN new.status = 'planned' THEN coalesce(new.cost_amount, 0) ELSE 0 END,
    CASE WHEN new.status = 'done' THEN coalesce(new.cost_amount, 0) ELSE 0 END)
  ON CONFLICT (clinic_id, month, channel) DO UPDATE SET planned = planned + excluded.planned,
    done = done + excluded.done, skipped = skipped + excluded.skipped,
    planned_cost = planned_cost + excluded.planned_cost, done_cost = done_cost + excluded.done_cost;
  INSERT INTO plan_owner_open (clinic_id, owner_key, month, planned)
  SELECT new.clinic_id, coalesce(new.owner_staff_id, ''), substr(new.due_on, 1, 7), 1 WHERE new.status = 'planned'
  ON CONFLICT (clinic_id, owner_key, month) DO UPDATE SET planned = planned + 1;
  INSERT INTO plan_patient_months (patient_id, month, done)
  SELECT new.patient_id, substr(new.due_on, 1, 7), 1 WHERE new.status = 'done'
  ON CONFLICT (patient_id, month) DO UPDATE SET done = done + 1;
END;
--> statement-breakpoint
-- Items written before the figures existed.
INSERT INTO plan_month_figures (clinic_id, month, channel, planned, done, skipped, planned_cost, done_cost)
SELECT clinic_id, substr(due_on, 1, 7), channel, sum(status = 'planned'), sum(status = 'done'),
  sum(status = 'skipped'), sum(CASE WHEN status = 'planned' THEN coalesce(cost_amount, 0) ELSE 0 END),
  sum(CASE WHEN status = 'done' THEN coalesce(cost_amount, 0) ELSE 0 END)
FROM plan_items GROUP BY clinic_id, substr(due_on, 1, 7), channel;
--> statement-breakpoint
INSERT INTO plan_owner_open (clinic_id, owner_key, month, planned)
SELECT clinic_id, coalesce(owner_staff_id, ''), substr(due_on, 1, 7), count(*)
FROM plan_items WHERE status = 'planned' GROUP BY clinic_id, coalesce(owner_staff_id, ''), substr(due_on, 1, 7);
--> statement-breakpoint
INSERT INTO plan_patient_months (patient_id, month, done)
SELECT patient_id, substr(due_on, 1, 7), count(*) FROM plan_items WHERE status = 'done'
GROUP BY patient_id, substr(due_on, 1, 7);
