extern alias server;

using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using server::DocStore.Server;
using server::DocStore.Server.Storage;
using server::DocStore.Server.Storage.Commands;
using server::DocStore.Server.Storage.Embedded;

namespace DocStore.Server.Tests.Unit;

/// <summary>
/// The embedded store's replica-lag model, on a fake clock: two store instances over one file play
/// two pods, each with its own session container.
/// </summary>
public sealed class ReplicaLagTests : IDisposable
{
    private static readonly CollectionDefinition Items = new("items", "items", JsonPointer.Parse("/pk"));
    private static readonly DocumentKey Key = new("doc", "p");

    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-11-27T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    private readonly string _path = Infrastructure.TestPaths.NewDatabasePath();
    private readonly EmbeddedDocumentStore _podA;
    private readonly EmbeddedDocumentStore _podB;

    public ReplicaLagTests()
    {
        _podA = Open(TimeSpan.FromSeconds(1));
        _podB = Open(TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task Another_process_reads_the_previous_version_within_the_lag_and_the_new_one_after_it()
    {
        await WriteAsync(_podA, version: 1);
        _time.Advance(TimeSpan.FromSeconds(2));
        await WriteAsync(_podA, version: 2);

        _time.Advance(TimeSpan.FromMilliseconds(500));
        Assert.Equal(1, await VersionAsync(_podB, token: null));

        _time.Advance(TimeSpan.FromMilliseconds(600));
        Assert.Equal(2, await VersionAsync(_podB, token: null));
    }

    [Fact]
    public async Task A_document_created_within_the_lag_is_not_found_by_another_process()
    {
        await WriteAsync(_podA, version: 1);

        var result = await _podB.ExecuteAsync(new ReadDocument(Items, Key, null), CancellationToken.None);

        Assert.Equal(StoreStatus.NotFound, result.Status);
    }

    [Fact]
    public async Task The_writing_process_reads_its_own_writes_through_its_session_container()
    {
        await WriteAsync(_podA, version: 1);
        _time.Advance(TimeSpan.FromSeconds(2));
        await WriteAsync(_podA, version: 2);

        Assert.Equal(2, await VersionAsync(_podA, token: null));
    }

    [Fact]
    public async Task A_read_that_carries_the_write_token_is_never_stale()
    {
        await WriteAsync(_podA, version: 1);
        _time.Advance(TimeSpan.FromSeconds(2));
        var token = await WriteAsync(_podA, version: 2);

        Assert.Equal(2, await VersionAsync(_podB, token));
    }

    [Fact]
    public async Task A_token_passed_explicitly_replaces_the_process_own_for_that_read()
    {
        var first = await WriteAsync(_podA, version: 1);
        _time.Advance(TimeSpan.FromSeconds(2));
        await WriteAsync(_podA, version: 2);

        // Pod A's own container has seen version 2, but an explicit older token is what counts.
        Assert.Equal(1, await VersionAsync(_podA, first));
    }

    [Fact]
    public async Task A_token_reaches_exactly_its_lsn_so_a_later_write_by_another_process_stays_invisible()
    {
        await WriteAsync(_podA, version: 1);
        _time.Advance(TimeSpan.FromSeconds(2));
        var other = await WriteAsync(_podB, version: 1, key: new DocumentKey("other", "p"));
        await WriteAsync(_podA, version: 2);

        // Pod B's token covers its own write, not pod A's later one: Cosmos's session guarantee exactly.
        Assert.Equal(1, await VersionAsync(_podB, other));
    }

    [Fact]
    public async Task Reads_see_every_write_at_once_when_the_lag_is_zero()
    {
        using var writer = Open(TimeSpan.Zero);
        using var reader = Open(TimeSpan.Zero);
        await WriteAsync(writer, version: 1);
        await WriteAsync(writer, version: 2);

        Assert.Equal(2, await VersionAsync(reader, token: null));
    }

    [Fact]
    public async Task Replaced_versions_are_pruned_once_no_lagging_reader_can_see_them()
    {
        for (var version = 1; version <= 20; version++)
        {
            await WriteAsync(_podA, version);
            _time.Advance(TimeSpan.FromMilliseconds(300));
        }

        // Within one second (the lag) only the last few replaced versions can still be read.
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={_path};Pooling=false");
        connection.Open();
        using var count = connection.CreateCommand();
        count.CommandText = "SELECT count(*) FROM document_history";
        Assert.InRange((long)count.ExecuteScalar()!, 1, 5);
    }

    [Fact]
    public void Token_scopes_differ_between_store_files_and_agree_within_one()
    {
        using var elsewhere = new EmbeddedDocumentStore(
            Options.Create(new DocStoreOptions { Embedded = { Path = Infrastructure.TestPaths.NewDatabasePath() } }), _time, NullLogger<EmbeddedDocumentStore>.Instance);

        Assert.Equal(_podA.TokenScope(Items), _podB.TokenScope(Items));
        Assert.NotEqual(_podA.TokenScope(Items), elsewhere.TokenScope(Items));
    }

    public void Dispose()
    {
        _podA.Dispose();
        _podB.Dispose();
    }

    private EmbeddedDocumentStore Open(TimeSpan lag) => new(
        Options.Create(new DocStoreOptions { Embedded = { Path = _path, ReplicaLag = lag } }), _time, NullLogger<EmbeddedDocumentStore>.Instance);

    private static async Task<string> WriteAsync(EmbeddedDocumentStore store, int version, DocumentKey? key = null)
    {
        var target = key ?? Key;
        var body = Encoding.UTF8.GetBytes($$"""{"id":"{{target.Id}}","pk":"{{target.PartitionKey}}","version":{{version}}}""");
        var result = await store.ExecuteAsync(new UpsertDocument(Items, target, body, null), CancellationToken.None);
        Assert.Equal(StoreStatus.Ok, result.Status);
        return result.Document!.SessionToken;
    }

    private static async Task<int> VersionAsync(EmbeddedDocumentStore store, string? token)
    {
        var result = await store.ExecuteAsync(new ReadDocument(Items, Key, token), CancellationToken.None);
        Assert.Equal(StoreStatus.Ok, result.Status);
        using var json = System.Text.Json.JsonDocument.Parse(result.Document!.Body);
        return json.RootElement.GetProperty("version").GetInt32();
    }
}
