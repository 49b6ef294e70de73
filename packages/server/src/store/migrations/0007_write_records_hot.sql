DROP INDEX "write_records_status";--> statement-breakpoint
-- Room on each page for a record's next versions: holding it for a job and settling it are then HOT updates (no index entry written again).
ALTER TABLE "write_records" SET (fillfactor = 50);
