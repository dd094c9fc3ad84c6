using System.Globalization;
using System.Text;
using DocStore.Server.Storage.Query;

namespace DocStore.Server.Storage.Embedded;

/// <summary>
/// The SQL the embedded store runs for a query page and a change-feed page, at a view (<c>$view</c>): with
/// the replica-lag model, the documents as a replica at that LSN holds them (see <see cref="EmbeddedDocumentStore"/>).
/// </summary>
internal static class EmbeddedQuerySql
{
    /// <summary>
    /// A query's SQL. Rows come from the documents as they stand at <c>$view</c>: the current
    /// version, or, with the replica-lag model (<paramref name="lagging"/>), the version a write after
    /// the view replaced. A partition's query searches the primary key's (collection, partition_key)
    /// prefix, never the whole collection.
    /// </summary>
    public static string Query(SqliteQueryText text, bool partition, bool after, bool lagging)
    {
        var inPartition = partition ? "AND partition_key = $pk" : "";
        var source = !lagging
            ? $"SELECT partition_key, id, body, etag, committed_at FROM documents WHERE collection = $c {inPartition}"
            : $"""
                SELECT partition_key, id, body, etag, committed_at FROM documents WHERE collection = $c {inPartition} AND lsn <= $view
                UNION ALL
                {VersionsAtView(partition, "h.partition_key, h.id, h.body, h.etag, h.committed_at", "")}
                """;

        // A tombstone's body is empty, not JSON. The branch above leaves tombstones out, but SQLite may
        // evaluate the filter's JSON functions on a history row before that condition: it reads "{}".
        var json = lagging ? "CASE WHEN etag = '' THEN '{}' ELSE CAST(body AS TEXT) END" : "CAST(body AS TEXT)";

        var keys = new List<(string Column, bool Descending)>();
        var columns = new StringBuilder();
        for (var i = 0; i < text.SortKeys.Count; i++)
        {
            var (rank, value, descending) = text.SortKeys[i];
            columns.Append(CultureInfo.InvariantCulture, $", {rank} AS r{i}, {value} AS v{i}");
            keys.Add(($"r{i}", descending));
            keys.Add(($"v{i}", descending));
        }

        var last = text.SortKeys.Count > 0 && text.SortKeys[^1].Descending;
        keys.Add(("partition_key", last));
        keys.Add(("id", last));

        var keyset = "1";
        if (after)
        {
            // Strictly after the previous page's last row in the order (k0, k1, ...): k0 beyond it, or
            // k0 equal and k1 beyond it, and so on.
            var alternatives = new List<string>();
            for (var i = 0; i < keys.Count; i++)
            {
                var equal = string.Concat(Enumerable.Range(0, i).Select(j => $"{keys[j].Column} = $a{j} AND "));
                alternatives.Add($"({equal}{keys[i].Column} {(keys[i].Descending ? "<" : ">")} $a{i})");
            }

            keyset = string.Join(" OR ", alternatives);
        }

        var order = string.Join(", ", keys.Select(k => k.Column + (k.Descending ? " DESC" : " ASC")));
        return $"""
            SELECT partition_key, id, body, etag, committed_at{string.Concat(Enumerable.Range(0, text.SortKeys.Count).Select(i => $", r{i}, v{i}"))} FROM (
                SELECT partition_key, id, body, etag, committed_at{columns}
                FROM (SELECT partition_key, id, body, etag, committed_at, {json} AS j FROM ({source}))
                WHERE {text.Where})
            WHERE {keyset}
            ORDER BY {order}
            LIMIT $limit
            """;
    }

    /// <summary>
    /// The change feed's SQL: documents in the order of their writes' LSNs after <c>$from</c> up to <c>$view</c>.
    /// A collection's feed walks <c>documents_by_lsn</c>, a partition's <c>documents_by_partition_lsn</c>,
    /// named with INDEXED BY: without statistics, SQLite's planner prefers <c>documents_by_lsn</c> there
    /// too (it avoids a sort), which reads the whole collection's feed to find one partition's changes.
    /// </summary>
    /// <remarks>
    /// With the replica-lag model (<paramref name="lagging"/>), a document changed again after the view
    /// is not in <c>documents</c> at the version the view holds: its version at the view comes from the
    /// history, so a reader at the view is given every change in (<c>$from</c>, <c>$view</c>] and its
    /// continuation never passes one it was not given.
    /// </remarks>
    public static string Changes(bool partition, bool since, bool lagging = false)
    {
        var current = $"""
            SELECT partition_key, id, body, etag, committed_at, lsn FROM documents {(partition ? "INDEXED BY documents_by_partition_lsn" : "")}
            WHERE collection = $c {(partition ? "AND partition_key = $pk" : "")} AND lsn > $from AND lsn <= $view {(since ? "AND committed_at > $since" : "")}
            """;
        if (!lagging)
        {
            return current + "\nORDER BY lsn LIMIT $limit";
        }

        return $"""
            SELECT partition_key, id, body, etag, committed_at, lsn FROM (
                {current}
                UNION ALL
                {VersionsAtView(partition, "h.partition_key, h.id, h.body, h.etag, h.committed_at, h.lsn", "AND h.lsn > $from" + (since ? " AND h.committed_at > $since" : ""))})
            ORDER BY lsn LIMIT $limit
            """;
    }

    /// <summary>
    /// The replica-lag model's rows for documents whose current version a write after <c>$view</c> made,
    /// or that a delete removed: each one's newest kept version at or below the view, unless that version
    /// is a tombstone (the document did not exist at the view).
    /// </summary>
    private static string VersionsAtView(bool partition, string columns, string conditions) => $"""
        SELECT {columns} FROM document_history h
        WHERE h.collection = $c {(partition ? "AND h.partition_key = $pk" : "")} AND h.lsn <= $view {conditions}
        AND h.lsn = (SELECT max(v.lsn) FROM document_history v
                     WHERE v.collection = h.collection AND v.partition_key = h.partition_key AND v.id = h.id AND v.lsn <= $view)
        AND NOT EXISTS (SELECT 1 FROM documents d
                        WHERE d.collection = h.collection AND d.partition_key = h.partition_key AND d.id = h.id AND d.lsn <= $view)
        AND h.etag <> ''
        """;
}
