extern alias server;

using System.Text;
using System.Text.RegularExpressions;
using DocStore.Server.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using server::DocStore.Server.Storage.Embedded;
using server::DocStore.Server.Storage.Query;

namespace DocStore.Server.Tests.Query;

/// <summary>
/// SQLite's own plan (EXPLAIN QUERY PLAN) for the statements the embedded store runs, on a file with the store's
/// schema and documents in many partitions: a partition's query and a partition's change feed search an index by
/// (collection, partition key) and never scan the collection.
/// </summary>
public sealed partial class EmbeddedQueryPlanTests : IDisposable
{
    private readonly SqliteConnection _connection;

    public EmbeddedQueryPlanTests()
    {
        var connectionString = new SqliteConnectionStringBuilder { DataSource = TestPaths.NewDatabasePath(), Pooling = false }.ToString();
        SqliteSession.EnsureSchema(connectionString, TimeSpan.FromSeconds(5));
        _connection = new SqliteConnection(connectionString);
        _connection.Open();
        SqliteQueryText.RegisterFunctions(_connection);
        using var transaction = _connection.BeginTransaction();
        using var insert = _connection.CreateCommand();
        insert.CommandText = "INSERT INTO documents (collection, partition_key, id, body, etag, lsn, committed_at) VALUES ('items', $pk, $id, $body, '\"e\"', $lsn, 0)";
        var pk = insert.Parameters.Add("$pk", SqliteType.Text);
        var id = insert.Parameters.Add("$id", SqliteType.Text);
        var body = insert.Parameters.Add("$body", SqliteType.Blob);
        var lsn = insert.Parameters.Add("$lsn", SqliteType.Integer);
        for (var i = 0; i < 2000; i++)
        {
            (pk.Value, id.Value, lsn.Value) = ($"p{i % 100}", $"d{i}", i + 1);
            body.Value = Encoding.UTF8.GetBytes($$"""{"id":"d{{i}}","pk":"p{{i % 100}}","status":"open","n":{{i}}}""");
            insert.ExecuteNonQuery();
        }

        transaction.Commit();
    }

    public static TheoryData<bool, bool, bool> Variants => new()
    {
        { false, false, false },
        { true, false, false },
        { true, true, false },
        { true, true, true },
        { false, true, true },
    };

    [Theory]
    [MemberData(nameof(Variants))]
    public void A_partition_query_searches_the_partition_and_never_scans_the_collection(bool filtered, bool ordered, bool lagging)
    {
        var query = new DocumentQuery(
            filtered ? Filters.All(Filters.Eq("/status", "\"open\""), Filters.Ge("/n", "3")) : null,
            ordered ? [Filters.Desc("/n")] : []);
        foreach (var after in new[] { false, true })
        {
            var text = SqliteQueryText.Translate(query, "j");
            var sql = EmbeddedQuerySql.Query(text, partition: true, after, lagging);
            var parameters = new Dictionary<string, object>(text.Parameters.Select(p => KeyValuePair.Create(p.Key, p.Value)))
            {
                ["$c"] = "items", ["$pk"] = "p7", ["$view"] = 5000L, ["$limit"] = 21L,
            };
            for (var i = 0; i < text.SortKeys.Count * 2 + 2; i++)
            {
                parameters["$a" + i] = "x";
            }

            var plan = Plan(sql, parameters);
            Assert.DoesNotContain(plan, line => FullScan().IsMatch(line));
            Assert.Contains(plan, line => line.StartsWith("SEARCH documents USING ", StringComparison.Ordinal) && line.Contains("(collection=? AND partition_key=?", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void A_partition_change_feed_walks_its_partition_in_lsn_order_and_a_collection_feed_the_collection()
    {
        var parameters = new Dictionary<string, object> { ["$c"] = "items", ["$pk"] = "p7", ["$from"] = 10L, ["$view"] = 5000L, ["$limit"] = 100L, ["$since"] = 0L };
        foreach (var since in new[] { false, true })
        {
            var partition = Plan(EmbeddedQuerySql.Changes(partition: true, since), parameters);
            Assert.True(
                partition.Any(line => line.StartsWith("SEARCH documents USING INDEX documents_by_partition_lsn (collection=? AND partition_key=? AND lsn>? AND lsn<?)", StringComparison.Ordinal)),
                string.Join(" / ", partition));
            Assert.DoesNotContain(partition, line => FullScan().IsMatch(line) || line.Contains("TEMP B-TREE", StringComparison.Ordinal));

            var collection = Plan(EmbeddedQuerySql.Changes(partition: false, since), parameters);
            Assert.Contains(collection, line => line.StartsWith("SEARCH documents USING INDEX documents_by_lsn (collection=? AND lsn>? AND lsn<?)", StringComparison.Ordinal));
            Assert.DoesNotContain(collection, line => line.Contains("TEMP B-TREE", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void A_lagging_partition_change_feed_searches_the_partition_in_both_the_documents_and_their_history()
    {
        var parameters = new Dictionary<string, object> { ["$c"] = "items", ["$pk"] = "p7", ["$from"] = 10L, ["$view"] = 5000L, ["$limit"] = 100L, ["$since"] = 0L };
        foreach (var since in new[] { false, true })
        {
            var plan = Plan(EmbeddedQuerySql.Changes(partition: true, since, lagging: true), parameters);
            Assert.Contains(plan, line => line.StartsWith("SEARCH documents USING INDEX documents_by_partition_lsn (collection=? AND partition_key=?", StringComparison.Ordinal));
            Assert.Contains(plan, line => line.StartsWith("SEARCH h USING ", StringComparison.Ordinal) && line.Contains("(collection=? AND partition_key=?", StringComparison.Ordinal));
            Assert.DoesNotContain(plan, line => FullScan().IsMatch(line));
        }
    }

    public void Dispose()
    {
        // The file goes with the test run's temporary directory.
        _connection.Dispose();
    }

    /// <summary>The detail column of EXPLAIN QUERY PLAN, one line per step.</summary>
    private List<string> Plan(string sql, IReadOnlyDictionary<string, object> parameters)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "EXPLAIN QUERY PLAN " + sql;
        foreach (var (name, value) in parameters)
        {
            if (sql.Contains(name, StringComparison.Ordinal))
            {
                command.Parameters.AddWithValue(name, value);
            }
        }

        var lines = new List<string>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            lines.Add(reader.GetString(3));
        }

        return lines;
    }

    /// <summary>A step that reads a stored table from end to end (a scan of a subquery's rows is no such step).</summary>
    [GeneratedRegex(@"^SCAN (documents|document_history|[dhv])\b")]
    private static partial Regex FullScan();
}
