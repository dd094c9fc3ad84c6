using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;

namespace DocStore.Server.Storage.Embedded;

/// <summary>
/// <c>DocStore.Server.dll seed-embedded</c>: writes a set of generated documents straight into an
/// embedded store file, in one transaction, for benchmarks that need a million documents in
/// seconds. It goes through <see cref="SqliteSession"/> (its schema, LSN and write statements), so
/// the file is what the server's own writes produce. For speed it writes without a journal and
/// without syncing (the file is switched back to WAL at the end), so it is for a file no server has
/// open, and a seeding cut short leaves a file to throw away.
/// </summary>
/// <remarks>
/// Document <c>i</c> is <c>{"id":"doc-i","pk":"pk-(i mod partitions)","n":0,"payload":"xx…"}</c>, its
/// payload padding the UTF-8 JSON to <c>--doc-size</c> bytes: the documents <c>docstore bench</c> reads.
/// </remarks>
internal static class EmbeddedSeeder
{
    public const string CommandName = "seed-embedded";

    private const string Usage = "usage: DocStore.Server.dll seed-embedded --path FILE [--container items] --count N [--doc-size 1024] [--partitions 1000]";

    public static int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        string? path = null;
        var container = DocStoreOptions.DefaultCollection;
        int count = -1, size = 1024, partitions = 1000;
        for (var i = 0; i < args.Count; i++)
        {
            var value = i + 1 < args.Count ? args[i + 1] : null;
            var parsed = args[i] switch
            {
                "--path" => (path = value) is not null,
                "--container" => (container = value!) is not null,
                "--count" => int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out count),
                "--doc-size" => int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out size),
                "--partitions" => int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out partitions) && partitions > 0,
                _ => false,
            };
            if (!parsed)
            {
                error.WriteLine($"seed-embedded: bad argument '{args[i]}' {value}\n{Usage}");
                return 2;
            }

            i++;
        }

        if (path is null || count < 0 || string.IsNullOrEmpty(container))
        {
            error.WriteLine(Usage);
            return 2;
        }

        var started = TimeProvider.System.GetTimestamp();
        Seed(Path.GetFullPath(path), container, count, size, partitions);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"seeded {count} documents of {size} bytes into {container} in {path} in {TimeProvider.System.GetElapsedTime(started).TotalSeconds:0.0} s"));
        return 0;
    }

    /// <summary>Writes documents 0 to <paramref name="count"/> - 1 of container <paramref name="container"/>.</summary>
    public static void Seed(string path, string container, int count, int documentBytes, int partitions)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var connectionString = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false }.ToString();
        var busyTimeout = TimeSpan.FromSeconds(30);
        SqliteSession.EnsureSchema(connectionString, busyTimeout);
        using var session = SqliteSession.Open(connectionString, busyTimeout);
        Pragma(session, "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -1000000");
        using var transaction = session.Connection.BeginTransaction(deferred: false);
        var now = DateTimeOffset.UtcNow;
        for (var i = 0; i < count; i++)
        {
            var id = "doc-" + i.ToString(CultureInfo.InvariantCulture);
            var key = new DocumentKey(id, "pk-" + (i % partitions).ToString(CultureInfo.InvariantCulture));
            var lsn = session.NextLsn(transaction, container);
            session.Write(transaction, container, key, Body(key, documentBytes), $"\"{Guid.CreateVersion7(now)}\"", lsn, now.ToUnixTimeMilliseconds());
        }

        transaction.Commit();
        Pragma(session, "PRAGMA journal_mode = WAL");
    }

    private static void Pragma(SqliteSession session, string pragmas)
    {
        using var command = session.Connection.CreateCommand();
        command.CommandText = pragmas;
        command.ExecuteNonQuery();
    }

    /// <summary>The document's UTF-8 JSON, padded with its payload to <paramref name="documentBytes"/> when it can be.</summary>
    public static byte[] Body(DocumentKey key, int documentBytes)
    {
        var head = $"{{\"id\":\"{key.Id}\",\"pk\":\"{key.PartitionKey}\",\"n\":0,\"payload\":\"";
        const string Tail = "\"}";
        var padding = Math.Max(0, documentBytes - Encoding.UTF8.GetByteCount(head) - Tail.Length);
        var body = new byte[Encoding.UTF8.GetByteCount(head) + padding + Tail.Length];
        var written = Encoding.UTF8.GetBytes(head, body);
        body.AsSpan(written, padding).Fill((byte)'x');
        Encoding.UTF8.GetBytes(Tail, body.AsSpan(written + padding));
        return body;
    }
}
