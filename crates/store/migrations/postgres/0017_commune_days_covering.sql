-- The province's table of communes (issue 18) sums every day of its
-- communes from activity_commune_days: 122,600 rows for Thành phố Hồ Chí
-- Minh at national scale. PostgreSQL keeps a table's rows in the order
-- they were written, not in key order: the rows the triggers add day after
-- day, or a rebuild in hash order, lie about one per block, and the query
-- read 120,171 blocks for its 122,600 rows (0.4–0.7 s). With the summed
-- columns carried in the primary key's index, the query reads the index
-- alone (an index-only scan, once the table is vacuumed: by autovacuum on
-- a live database, by the bulk loader after a load), whatever the order of
-- the rows. SQLite needs nothing: its table is WITHOUT ROWID, kept in key
-- order. The price: a trigger's update of a day's sums rewrites the index
-- entry too (no heap-only update), one index write per logged activity.
ALTER TABLE activity_commune_days
    DROP CONSTRAINT activity_commune_days_pkey,
    ADD PRIMARY KEY (commune_code, activity_date) INCLUDE (activities, citizens_helped, dossiers);
