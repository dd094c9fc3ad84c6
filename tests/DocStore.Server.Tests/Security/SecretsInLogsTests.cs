using System.Globalization;
using DocStore.Server.Tests.Infrastructure;
using DocStore.V1;
using Grpc.Core;

namespace DocStore.Server.Tests.Security;

/// <summary>The Redis password and the Cosmos key never appear in any log line or error, whatever happens in a run.</summary>
public sealed class SecretsInLogsTests
{
    [Fact]
    public async Task Neither_the_Redis_password_nor_the_Cosmos_key_appears_in_any_log_or_error_of_a_run()
    {
        var redisPassword = "redis-pw-" + Guid.NewGuid().ToString("N");
        await using var issuer = await OidcIssuer.StartAsync();
        await using var cosmos = await CosmosPeer.StartAsync();
        await using var redis = await RedisServer.StartAsync(password: redisPassword);

        var environment = cosmos.ServerSettings("secrets-" + Guid.NewGuid().ToString("N")[..8])
            .ToDictionary(p => p.Key.Replace(":", "__", StringComparison.Ordinal), p => p.Value!);
        environment["DocStore__Redis__Configuration"] = redis.Configuration;
        environment["DocStore__Auth__Mode"] = "Jwt";
        environment["DocStore__Auth__Jwt__Authority"] = issuer.Authority;
        environment["DocStore__Auth__Jwt__Audience"] = OidcIssuer.Audience;
        environment["DocStore__Logging__Json"] = "true";
        environment["Logging__LogLevel__Default"] = "Debug";

        var errors = new List<string>();
        string output;
        await using (var server = await TestServers.StartAsync(TestPaths.NewDatabasePath(), environment))
        {
            using var channel = server.CreateChannel();
            var client = new DocStoreService.DocStoreServiceClient(channel);
            var writer = new Metadata { { "authorization", "Bearer " + issuer.Token("writer", ["items.write", "items.read"]) } };
            var reader = new Metadata { { "authorization", "Bearer " + issuer.Token("reader", ["items.read"]) } };

            await client.UpsertAsync(new UpsertRequest { Collection = "items", Document = Json.Struct("""{"id":"s1","pk":"p","n":1}""") }, writer);
            await client.GetAsync(new GetRequest { Collection = "items", Id = "s1", PartitionKey = "p" }, reader);
            await Collect(errors, () => client.UpsertAsync(new UpsertRequest { Collection = "items", Document = Json.Struct("""{"id":"s2","pk":"p"}""") }, reader).ResponseAsync);
            await Collect(errors, () => client.GetAsync(new GetRequest { Collection = "items", Id = "s1", PartitionKey = "p" }, new Metadata { { "authorization", "Bearer not-a-token" } }).ResponseAsync);
            await Collect(errors, () => client.GetAsync(new GetRequest { Collection = "items", Id = "absent", PartitionKey = "p" }, reader).ResponseAsync);
            await Collect(errors, () => client.UpsertAsync(new UpsertRequest { Collection = "items", Document = Json.Struct("""{"pk":"p"}""") }, writer).ResponseAsync);

            // Redis goes away: writes go on, and its failures are logged.
            await redis.KillAsync();
            for (var i = 0; i < 5; i++)
            {
                await client.UpsertAsync(new UpsertRequest { Collection = "items", Document = Json.Struct($$"""{"id":"r{{i}}","pk":"p"}""") }, writer);
                await client.GetAsync(new GetRequest { Collection = "items", Id = "s1", PartitionKey = "p" }, reader);
            }

            await server.TerminateAsync();
            await server.WaitForExitAsync(TimeSpan.FromSeconds(30));
            output = server.Output;
        }

        // A second server whose Redis password is wrong: the failure is logged, the password is not.
        await redis.RestartAsync();
        environment["DocStore__Redis__Configuration"] = $"127.0.0.1:{redis.Port},password=wrong-{redisPassword}";
        await using (var wrong = await TestServers.StartAsync(TestPaths.NewDatabasePath(), environment))
        {
            using var channel = wrong.CreateChannel();
            var client = new DocStoreService.DocStoreServiceClient(channel);
            var writer = new Metadata { { "authorization", "Bearer " + issuer.Token("writer", ["items.write"]) } };
            await client.UpsertAsync(new UpsertRequest { Collection = "items", Document = Json.Struct("""{"id":"w1","pk":"p"}""") }, writer);
            await wrong.TerminateAsync();
            await wrong.WaitForExitAsync(TimeSpan.FromSeconds(30));
            output += "\n" + wrong.Output;
        }

        // The run logged what it should: audit events, denials, failed authentication.
        Assert.Contains("DocStore.Audit", output, StringComparison.Ordinal);
        Assert.Contains("PERMISSION_DENIED", output, StringComparison.Ordinal);
        Assert.Contains("UNAUTHENTICATED", output, StringComparison.Ordinal);
        Assert.Equal(4, errors.Count);

        var everything = output + "\n" + string.Join('\n', errors);
        Assert.DoesNotContain(redisPassword, everything, StringComparison.Ordinal);
        Assert.DoesNotContain(CosmosPeer.Key, everything, StringComparison.Ordinal);
        Assert.DoesNotContain(CosmosPeer.Key[..20], everything, StringComparison.Ordinal);
        Assert.DoesNotContain("not-a-token", everything, StringComparison.Ordinal);
        Assert.True(output.Length > 1000, string.Create(CultureInfo.InvariantCulture, $"The run logged only {output.Length} characters."));
    }

    private static async Task Collect(List<string> errors, Func<Task> call)
    {
        var e = await Assert.ThrowsAsync<RpcException>(call);
        errors.Add(e.Status.ToString() + " " + string.Join(' ', e.Trailers.Select(t => t.Key + "=" + (t.IsBinary ? Convert.ToBase64String(t.ValueBytes) : t.Value))));
    }
}
