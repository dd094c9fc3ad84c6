using System.CommandLine;
using System.Globalization;
using System.Text;
using DocStore.Server.Storage;
using DocStore.Server.Storage.Embedded;
using Microsoft.Data.Sqlite;

namespace DocStore.Cli.Bench;

/// <summary>
/// <c>docstore seed-embedded</c>: writes a <see cref="DocumentSet"/> straight into an embedded store
/// file, in one transaction, for benchmarks that need a million documents in seconds. It goes through
/// the server's own <see cref="SqliteSession"/> (its schema, LSN and write statements; the source
/// file is compiled into this tool), so the file is what the server's own writes produce. For speed it
/// writes without a journal and without syncing (the file is switched back to WAL at the end), so it
/// is for a file no server has open, and a seeding cut short leaves a file to throw away.
/// </summary>
internal static class EmbeddedSeeder
{
    public const string CommandName = "seed-embedded";

    /// <summary>The <c>seed-embedded</c> command.</summary>
    public static Command Create()
    {
        var path = new Option<FileInfo>("--path") { Description = "The embedded store file to fill (created if absent; no server may have it open)", Required = true };
        var container = new Option<string>("--container") { Description = "The collection's container", DefaultValueFactory = _ => "items" };
        var count = new Option<int>("--count") { Description = "Documents to write: doc-0 to doc-(count-1)", Required = true };
        var size = new Option<int>("--doc-size") { Description = "Each document's size as UTF-8 JSON, in bytes", DefaultValueFactory = _ => 1024 };
        var partitions = new Option<int>("--partitions") { Description = "Partition keys used: pk-(i mod partitions)", DefaultValueFactory = _ => DocumentSet.DefaultPartitions };
        var command = new Command(CommandName, "Fill an embedded store file with the documents docstore bench reads, fast.") { path, container, count, size, partitions };
        command.SetAction(result =>
        {
            if (result.GetValue(count) < 0 || result.GetValue(size) < 0 || result.GetValue(partitions) <= 0 || string.IsNullOrEmpty(result.GetValue(container)))
            {
                Console.Error.WriteLine("seed-embedded: --count and --doc-size must be 0 or more, --partitions above 0, and --container not empty");
                return 1;
            }

            var file = result.GetValue(path)!.FullName;
            var documents = new DocumentSet(result.GetValue(count), result.GetValue(size), result.GetValue(partitions));
            var started = TimeProvider.System.GetTimestamp();
            Seed(file, result.GetValue(container)!, documents);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"seeded {documents.Count} documents of {documents.DocumentBytes} bytes into {result.GetValue(container)} in {file} in {TimeProvider.System.GetElapsedTime(started).TotalSeconds:0.0} s"));
            return 0;
        });
        return command;
    }

    /// <summary>Writes every document of <paramref name="documents"/> into container <paramref name="container"/> of the file at <paramref name="path"/>.</summary>
    public static void Seed(string path, string container, DocumentSet documents)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var connectionString = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false }.ToString();
        var busyTimeout = TimeSpan.FromSeconds(30);
        SqliteSession.EnsureSchema(connectionString, busyTimeout);
        using var session = SqliteSession.Open(connectionString, busyTimeout);
        Pragma(session, "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -1000000");
        using var transaction = session.Connection.BeginTransaction(deferred: false);
        var now = DateTimeOffset.UtcNow;
        for (var i = 0; i < documents.Count; i++)
        {
            var key = new DocumentKey(DocumentSet.Id(i), documents.PartitionKey(i));
            var lsn = session.NextLsn(transaction, container);
            session.Write(transaction, container, key, Encoding.UTF8.GetBytes(documents.Json(i)), $"\"{Guid.CreateVersion7(now)}\"", lsn, now.ToUnixTimeMilliseconds());
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
}
