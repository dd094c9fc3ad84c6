using System.Text.RegularExpressions;
using DocStore.Server.Tests.Infrastructure;
using DocStore.V1;
using Grpc.Core;

namespace DocStore.Server.Tests.Reliability;

/// <summary>
/// Partition keys and ids are personal data (often e-mail addresses or user ids): with the shipped logging
/// settings, no log line at Information or above outside the audit trail holds one, and no Redis key name
/// does, whatever the calls do: succeed, fail for the caller's mistake, meet a poisoned key or a dead Redis.
/// </summary>
public sealed partial class PersonalDataTests
{
    [Fact]
    public async Task Neither_redis_key_names_nor_default_log_lines_outside_the_audit_trail_hold_a_partition_key_or_id()
    {
        var local = "alice." + Guid.NewGuid().ToString("N")[..8];
        var partitionKey = local + "@example.com";
        var id = "order-" + Guid.NewGuid().ToString("N")[..8];
        await using var redis = await RedisServer.StartAsync();
        string[] names;
        string output;
        await using (var server = await TestServers.StartAsync(TestPaths.NewDatabasePath(), new Dictionary<string, string>
        {
            ["DocStore__Redis__Configuration"] = redis.Configuration,
            ["DocStore__SessionTokens__KeyNameSecret"] = "a-secret-of-this-deployment-" + Guid.NewGuid().ToString("N"),
        }))
        {
            using var channel = server.CreateChannel();
            var client = new DocStoreService.DocStoreServiceClient(channel);
            var written = await client.UpsertAsync(new UpsertRequest { Collection = "items", Document = Json.Struct($$"""{"id":"{{id}}","pk":"{{partitionKey}}","n":1}""") });
            await client.GetAsync(new GetRequest { Collection = "items", Id = id, PartitionKey = partitionKey });

            // The caller's mistakes, each quoting the id or the partition key back to the caller only.
            await FailsAsync(StatusCode.NotFound, () => client.GetAsync(new GetRequest { Collection = "items", Id = id + "-absent", PartitionKey = partitionKey }).ResponseAsync);
            await FailsAsync(StatusCode.Aborted, () => client.PatchAsync(new PatchRequest
            {
                Collection = "items", Id = id, PartitionKey = partitionKey, IfMatch = "\"stale\"",
                Operations = { new PatchOperation { Increment = new IncrementOperation { Path = "/n", By = 1 } } },
            }).ResponseAsync);
            await FailsAsync(StatusCode.InvalidArgument, () => client.PatchAsync(new PatchRequest
            {
                Collection = "items", Id = id, PartitionKey = partitionKey,
                Operations = { new PatchOperation { Increment = new IncrementOperation { Path = "/absent/n", By = 1 } } },
            }).ResponseAsync);
            await FailsAsync(StatusCode.InvalidArgument, () => client.UpsertAsync(new UpsertRequest { Collection = "items", Document = Json.Struct($$"""{"id":"{{id}}/x","pk":"{{partitionKey}}"}""") }).ResponseAsync);
            await FailsAsync(StatusCode.InvalidArgument, () => client.GetAsync(new GetRequest { Collection = "items", Id = id, PartitionKey = partitionKey, SessionToken = partitionKey }).ResponseAsync);
            await FailsAsync(StatusCode.NotFound, () => client.GetAsync(new GetRequest { Collection = "items", Id = id, PartitionKey = partitionKey, SessionToken = "0:-1#999999" }).ResponseAsync);

            // The shared token's key, poisoned with another Redis type: the server says so, naming no key.
            await using (var inspect = await redis.ConnectAsync())
            {
                names = [.. inspect.GetServer(inspect.GetEndPoints()[0]).Keys(pattern: "docstore:*").Select(k => k.ToString())];
                var key = Assert.Single(names);
                await inspect.GetDatabase().KeyDeleteAsync(key);
                await inspect.GetDatabase().ListRightPushAsync(key, ["a", "b"]);
            }

            await client.GetAsync(new GetRequest { Collection = "items", Id = id, PartitionKey = partitionKey });
            await client.UpsertAsync(new UpsertRequest { Collection = "items", Document = Json.Struct($$"""{"id":"{{id}}","pk":"{{partitionKey}}","n":2}""") });

            // Redis goes away: its failures are logged, with no key.
            await redis.KillAsync();
            for (var i = 0; i < 3; i++)
            {
                await client.UpsertAsync(new UpsertRequest { Collection = "items", Document = Json.Struct($$"""{"id":"{{id}}","pk":"{{partitionKey}}","n":{{i + 3}}}""") });
                await client.GetAsync(new GetRequest { Collection = "items", Id = id, PartitionKey = partitionKey, SessionToken = written.Info.SessionToken });
            }

            await server.TerminateAsync();
            await server.WaitForExitAsync(TimeSpan.FromSeconds(30));
            output = server.Output;
        }

        // The run logged what the test is about: the poisoned key and the dead Redis.
        var entries = Entries(output).Where(e => e.Level is "info" or "warn" or "fail" or "crit").ToList();
        Assert.Contains(entries, e => e.Text.Contains("WRONGTYPE", StringComparison.Ordinal));
        Assert.Contains(entries, e => e.Text.Contains("Redis", StringComparison.Ordinal) && e.Level == "warn" && !e.Text.Contains("WRONGTYPE", StringComparison.Ordinal));

        foreach (var name in names)
        {
            Assert.DoesNotContain(local, name, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("example.com", name, StringComparison.OrdinalIgnoreCase);
        }

        foreach (var entry in entries.Where(e => e.Category != "DocStore.Audit"))
        {
            Assert.False(entry.Text.Contains(local, StringComparison.OrdinalIgnoreCase) || entry.Text.Contains(id, StringComparison.OrdinalIgnoreCase), entry.Text);
        }
    }

    private static async Task FailsAsync(StatusCode expected, Func<Task> call)
    {
        var e = await Assert.ThrowsAsync<RpcException>(call);
        Assert.Equal(expected, e.StatusCode);
    }

    /// <summary>The entries of the console logger's default format: <c>level: category[id]</c>, then indented lines.</summary>
    private static IEnumerable<(string Level, string Category, string Text)> Entries(string output)
    {
        (string Level, string Category, System.Text.StringBuilder Text)? current = null;
        foreach (var line in output.Split('\n'))
        {
            var head = EntryHead().Match(line);
            if (head.Success)
            {
                if (current is { } done)
                {
                    yield return (done.Level, done.Category, done.Text.ToString());
                }

                current = (head.Groups[1].Value, head.Groups[2].Value, new System.Text.StringBuilder(line));
            }
            else
            {
                current?.Text.Append('\n').Append(line);
            }
        }

        if (current is { } last)
        {
            yield return (last.Level, last.Category, last.Text.ToString());
        }
    }

    [GeneratedRegex(@"^(trce|dbug|info|warn|fail|crit): ([^\[]+)\[")]
    private static partial Regex EntryHead();
}
