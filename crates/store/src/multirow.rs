//! Multi-row INSERTs in chunks (sqlx `QueryBuilder`, accepted by both
//! backends): the bulk writes of the record modules (`villages`, `teams`,
//! `documents`) that the importer calls.

/// Rows per multi-row INSERT (at most 10 parameters a row: well under the
/// limits of SQLite, 32,766, and PostgreSQL, 65,535).
pub(crate) const CHUNK: usize = 1000;

/// Multi-row INSERT of `$items` in chunks of [`CHUNK`] inside `$tx`:
/// `$sql` is the `INSERT INTO table (columns) ` prefix, `$push` binds one
/// item's values, and `RETURNING id, $check` answers the ids, which come back
/// in insertion order (sorted) — checked against `$key` of each item.
/// Evaluates to the new ids in the order of `$items`.
macro_rules! insert_chunks {
    ($tx:expr, $sql:expr, $items:expr, |$b:ident, $it:ident| $push:block, $check:literal, |$k:ident| $key:expr) => {{
        let mut all_ids: Vec<i64> = Vec::with_capacity($items.len());
        for chunk in $items.chunks($crate::multirow::CHUNK) {
            let mut qb = sqlx::QueryBuilder::new($sql);
            qb.push_values(chunk, |mut $b, $it| $push);
            qb.push(concat!(" RETURNING id, ", $check));
            let mut got: Vec<(i64, String)> = qb.build_query_as().fetch_all(&mut *$tx).await?;
            got.sort_unstable_by_key(|(id, _)| *id);
            for ((_, key), $k) in got.iter().zip(chunk.iter()) {
                if *key != $key {
                    return Err($crate::StoreError::Database(sqlx::Error::Protocol(
                        "bulk insert returned ids out of order".into(),
                    )));
                }
            }
            all_ids.extend(got.into_iter().map(|(id, _)| id));
        }
        all_ids
    }};
}
pub(crate) use insert_chunks;
