extern alias server;

using System.Text;
using Microsoft.Data.Sqlite;
using server::DocStore.Server.Storage.Query;

namespace DocStore.Server.Tests.Query;

/// <summary>
/// The corpus in a real SQLite database, stored as the embedded store stores documents (UTF-8 JSON in
/// a BLOB), to run the SQLite translation against.
/// </summary>
public sealed class SqliteCorpus : IDisposable
{
    private readonly SqliteConnection _connection = new("Data Source=:memory:");

    public SqliteCorpus()
    {
        _connection.Open();
        SqliteQueryText.RegisterFunctions(_connection);
        using var create = _connection.CreateCommand();
        create.CommandText = "CREATE TABLE d (id TEXT NOT NULL PRIMARY KEY, body BLOB NOT NULL)";
        create.ExecuteNonQuery();
        foreach (var (id, json) in Filters.Corpus)
        {
            using var insert = _connection.CreateCommand();
            insert.CommandText = "INSERT INTO d (id, body) VALUES ($id, $body)";
            insert.Parameters.AddWithValue("$id", id);
            insert.Parameters.AddWithValue("$body", Encoding.UTF8.GetBytes(json));
            insert.ExecuteNonQuery();
        }
    }

    /// <summary>The ids the SQL keeps, in id order.</summary>
    internal string[] Evaluate(DocumentFilter? filter) => [.. Run(Filters.Where(filter)).Order(StringComparer.Ordinal)];

    /// <summary>The ids in the SQL's order: the sort keys (rank, then value), then the id.</summary>
    internal string[] Run(DocumentQuery query)
    {
        var text = SqliteQueryText.Translate(query, "j");
        var lastDescending = query.OrderBy.Count > 0 && query.OrderBy[^1].Descending;
        var order = string.Concat(text.SortKeys.Select(k => $"{k.Rank} {Direction(k.Descending)}, {k.Value} {Direction(k.Descending)}, "));
        using var command = _connection.CreateCommand();
        command.CommandText = $"SELECT id FROM (SELECT id, CAST(body AS TEXT) AS j FROM d) WHERE {text.Where} ORDER BY {order}id {Direction(lastDescending)}";
        foreach (var (name, value) in text.Parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        var ids = new List<string>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            ids.Add(reader.GetString(0));
        }

        return [.. ids];
    }

    public void Dispose() => _connection.Dispose();

    private static string Direction(bool descending) => descending ? "DESC" : "ASC";
}
