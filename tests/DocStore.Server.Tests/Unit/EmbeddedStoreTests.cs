extern alias server;

using server::DocStore.Server.Storage.Embedded;

namespace DocStore.Server.Tests.Unit;

public sealed class EmbeddedStoreTests
{
    [Fact]
    public void Every_session_syncs_commits_to_disk_and_waits_for_the_write_lock()
    {
        var path = Infrastructure.TestPaths.NewDatabasePath();
        var connectionString = $"Data Source={path};Pooling=false";
        _ = SqliteSession.EnsureSchema(connectionString, TimeSpan.FromSeconds(3));
        using var session = SqliteSession.Open(connectionString, TimeSpan.FromSeconds(3));

        Assert.Equal(2L, Pragma(session, "synchronous")); // FULL
        Assert.Equal(3000L, Pragma(session, "busy_timeout"));
        Assert.Equal("wal", Pragma(session, "journal_mode"));
    }

    [Theory]
    [InlineData(0, 1.0, 5.0)]
    [InlineData(1024, 1.0, 5.0)]
    [InlineData(10 * 1024, 10.0, 14.0)]
    [InlineData(1536, 1.5, 5.5)]
    public void Request_charges_follow_the_documented_estimate(int bytes, double read, double write)
    {
        Assert.Equal(read, RequestCharge.ForRead(bytes));
        Assert.Equal(write, RequestCharge.ForWrite(bytes));
    }

    private static object Pragma(SqliteSession session, string name)
    {
        using var command = session.Connection.CreateCommand();
        command.CommandText = $"PRAGMA {name}";
        return command.ExecuteScalar()!;
    }
}
