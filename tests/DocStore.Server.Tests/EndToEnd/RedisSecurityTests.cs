extern alias server;

using DocStore.Server.Tests.Infrastructure;
using DocStore.Server.Tests.Security;
using DocStore.V1;
using server::DocStore.Server;
using server::DocStore.Server.Consistency;
using StackExchange.Redis;

namespace DocStore.Server.Tests.EndToEnd;

/// <summary>
/// Redis as managed services run it: TLS only, with a certificate from a CA the machine does not know, a password,
/// and an ACL user limited to DocStore's keys and commands. A real redis-server (Debian's is built with TLS) and
/// real server processes; certificates are made in the test.
/// </summary>
public sealed class RedisSecurityTests : IAsyncLifetime
{
    private const string UserPassword = "docstore-user-secret";
    private const string AdminPassword = "default-user-secret";

    private readonly List<IAsyncDisposable> _owned = [];
    private readonly string _directory = TestCertificates.NewDirectory();
    private TestCertificates _ca = null!;

    public Task InitializeAsync()
    {
        _ca = TestCertificates.CreateCa("DocStore Redis test CA");
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        foreach (var owned in Enumerable.Reverse(_owned))
        {
            await owned.DisposeAsync();
        }
    }

    [Fact]
    public async Task Two_servers_share_tokens_through_tls_redis_from_a_private_ca_as_an_acl_user_with_a_password()
    {
        var redis = await StartRedisAsync(tls: true, users: [RedisAcl.User("docstore", UserPassword)]);
        var environment = Environment(redis.ConfigurationFor("docstore", UserPassword), Path.Combine(_directory, "ca.crt"));
        var database = TestPaths.NewDatabasePath();
        var pods = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => TestServers.StartAsync(database, environment)));
        _owned.AddRange(pods);

        var stale = await WriteThroughOneReadThroughOtherAsync(pods, partitions: 12);

        Assert.True(stale == 0, $"{stale} stale reads: tokens did not travel through Redis.\n{pods[0].Output}\n{pods[1].Output}");
        await using var admin = await redis.ConnectAsync();
        Assert.Equal(12, admin.GetServer(admin.GetEndPoints()[0]).Keys(pattern: "docstore:st:*").Count());

        // Everything DocStore sends for tokens is within the ACL: Redis logged no refusal of any of those commands.
        // StackExchange.Redis also reads its tie-breaker key on connecting, outside ~docstore:*; that refusal is harmless.
        var (commands, keys) = await RefusedAsync(admin);
        Assert.Empty(commands.Intersect(RedisAcl.TokenCommands));
        Assert.All(keys, key => Assert.Equal("__Booksleeve_TieBreak", key));
        Assert.All(pods, pod => Assert.DoesNotContain("NOPERM", pod.Output, StringComparison.Ordinal));
        Assert.All(pods, pod => Assert.DoesNotContain(UserPassword, pod.Output, StringComparison.Ordinal));
    }

    [Fact]
    public void The_acl_user_in_the_docs_is_the_one_tested()
    {
        var page = File.ReadAllText(Path.Combine(TestPaths.RepositoryRoot, "docs", "redis.md"));

        Assert.Contains($"user {RedisAcl.User("docstore", "PASSWORD")}\n", page.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.All(RedisAcl.TokenCommands, command => Assert.Contains($"+{command}", RedisAcl.DocStoreCommands, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_command_or_key_the_acl_refuses_is_reported_as_refused_never_as_redis_down_and_no_call_fails()
    {
        // Allowed to sign in and GET, but only keys outside DocStore's prefix, and no scripts.
        var redis = await StartRedisAsync(tls: false, users: [$"narrow on >{UserPassword} ~other:* resetchannels -@all +get +hello +auth +ping +echo +client|setname +client|id"]);
        var pod = await TestServers.StartAsync(TestPaths.NewDatabasePath(), Environment(redis.ConfigurationFor("narrow", UserPassword), trustedCa: null));
        _owned.Add(pod);
        using var channel = pod.CreateChannel();
        var client = new DocStoreService.DocStoreServiceClient(channel);

        // Far more refusals than the circuit breaker's threshold (ten in two seconds), none of them failing a call.
        for (var i = 1; i <= 30; i++)
        {
            await client.UpsertAsync(new UpsertRequest { Collection = "items", Document = ReadAfterWrite.Document("d", "p" + (i % 5), i) });
            await client.GetAsync(new GetRequest { Collection = "items", Id = "d", PartitionKey = "p" + (i % 5) });
        }

        var metrics = await PrometheusText.ScrapeAsync(pod.MetricsAddress);
        Assert.True(metrics.Sum("docstore_session_tokens_redis_errors_total", ("kind", "denied")) >= 60, metrics.Text);
        Assert.Equal(0, metrics.Sum("docstore_session_tokens_redis_errors_total", ("kind", "breaker_open")));
        Assert.Equal(0, metrics.Sum("docstore_session_tokens_breaker_state"));

        // Said as what it is, once a minute at most, naming the command and never a key.
        Assert.Contains("Redis refused DocStore's", pod.Output, StringComparison.Ordinal);
        Assert.True(System.Text.RegularExpressions.Regex.IsMatch(pod.Output, "may not run (the 'eval(sha)?' command|a key outside the user's key patterns)"), pod.Output);
        Assert.DoesNotContain("Redis keeps failing", pod.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("docstore:st:", pod.Output, StringComparison.Ordinal);
        Assert.True(System.Text.RegularExpressions.Regex.Count(pod.Output, "Redis refused DocStore's") <= 2, pod.Output);
    }

    [Fact]
    public async Task The_connection_trusts_the_named_ca_only()
    {
        var redis = await StartRedisAsync(tls: true, users: []);
        var other = TestCertificates.CreateCa("Some other CA");
        var otherPath = Path.Combine(_directory, "other-ca.crt");
        other.WritePem(otherPath);

        await using (var trusted = await ConnectionMultiplexer.ConnectAsync(RedisConnection.CreateOptions(new RedisOptions
        {
            Configuration = redis.Configuration,
            TrustedCaPath = Path.Combine(_directory, "ca.crt"),
        })))
        {
            Assert.True(trusted.IsConnected);
            await trusted.GetDatabase().PingAsync();
        }

        var untrusted = RedisConnection.CreateOptions(new RedisOptions { Configuration = redis.Configuration, TrustedCaPath = otherPath });
        untrusted.ConnectTimeout = 1000;
        await using var refused = await ConnectionMultiplexer.ConnectAsync(untrusted);
        Assert.False(refused.IsConnected);
        await Assert.ThrowsAsync<RedisConnectionException>(() => refused.GetDatabase().PingAsync());
    }

    [Fact]
    public void A_certificate_must_chain_to_the_named_ca_name_the_host_and_be_for_a_server()
    {
        var trusted = new System.Security.Cryptography.X509Certificates.X509Certificate2Collection { _ca.Certificate };
        var chainOnly = System.Net.Security.SslPolicyErrors.RemoteCertificateChainErrors;

        Assert.True(RedisConnection.IsTrusted(trusted, _ca.IssueServer("redis").Certificate, chainOnly));
        Assert.False(RedisConnection.IsTrusted(trusted, _ca.IssueServer("redis").Certificate, chainOnly | System.Net.Security.SslPolicyErrors.RemoteCertificateNameMismatch));
        Assert.False(RedisConnection.IsTrusted(trusted, _ca.IssueClient("CN=redis", spiffeId: null).Certificate, chainOnly));
        Assert.False(RedisConnection.IsTrusted(trusted, TestCertificates.CreateCa("Other").IssueServer("redis").Certificate, chainOnly));
        Assert.False(RedisConnection.IsTrusted(trusted, null, chainOnly));
    }

    [Fact]
    public void A_ca_file_needs_tls_in_the_configuration_and_must_hold_a_certificate()
    {
        var validator = new SessionTokenOptionsValidator();
        var caPath = Path.Combine(_directory, "ca.crt");
        _ca.WritePem(caPath);
        var notPem = Path.Combine(_directory, "not-a-certificate.txt");
        File.WriteAllText(notPem, "hello");

        Assert.True(validator.Validate(null, Options("redis:6380,ssl=true,password=p", caPath)).Succeeded);

        var plaintext = validator.Validate(null, Options("redis:6379", caPath));
        Assert.Contains(plaintext.Failures!, f => f.Contains("DocStore:Redis:TrustedCaPath is set, but DocStore:Redis:Configuration does not say ssl=true", StringComparison.Ordinal));

        var missing = validator.Validate(null, Options("redis:6380,ssl=true", Path.Combine(_directory, "absent.crt")));
        Assert.Contains(missing.Failures!, f => f.StartsWith("DocStore:Redis:TrustedCaPath", StringComparison.Ordinal) && f.Contains("cannot be read", StringComparison.Ordinal));

        var empty = validator.Validate(null, Options("redis:6380,ssl=true", notPem));
        Assert.Contains(empty.Failures!, f => f.Contains("holds no PEM certificate", StringComparison.Ordinal));

        static DocStoreOptions Options(string configuration, string caPath) => new() { Redis = { Configuration = configuration, TrustedCaPath = caPath } };
    }

    private async Task<RedisServer> StartRedisAsync(bool tls, IReadOnlyList<string> users)
    {
        RedisTls? files = null;
        if (tls)
        {
            files = new RedisTls(Path.Combine(_directory, "redis.crt"), Path.Combine(_directory, "redis.key"), Path.Combine(_directory, "ca.crt"));
            _ca.WritePem(files.CaPath);
            _ca.IssueServer("redis").WritePem(files.CertificatePath, files.KeyPath);
        }

        var redis = await RedisServer.StartAsync(new RedisServerSettings { Password = AdminPassword, Tls = files, Users = users });
        _owned.Add(redis);
        return redis;
    }

    private static Dictionary<string, string> Environment(string configuration, string? trustedCa)
    {
        var environment = new Dictionary<string, string>
        {
            ["DocStore__Embedded__ReplicaLag"] = "00:00:01",
            ["DocStore__Redis__Configuration"] = configuration,
            ["DocStore__SessionTokens__Sharing"] = "Redis",

            // Correctness runs: a loaded machine must not turn a slow Redis into a stale read.
            ["DocStore__SessionTokens__RedisTimeout"] = "00:00:02",
        };
        if (trustedCa is not null)
        {
            environment["DocStore__Redis__TrustedCaPath"] = trustedCa;
        }

        return environment;
    }

    /// <summary>The commands (and subcommands) and the keys Redis's ACL log says it refused.</summary>
    private static async Task<(HashSet<string> Commands, HashSet<string> Keys)> RefusedAsync(ConnectionMultiplexer admin)
    {
        var entries = (RedisResult[])(await admin.GetDatabase().ExecuteAsync("ACL", "LOG"))!;
        var commands = new HashSet<string>(StringComparer.Ordinal);
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            var fields = entry.ToDictionary();
            (fields["reason"].ToString() == "command" ? commands : keys).Add(fields["object"].ToString());
        }

        return (commands, keys);
    }

    /// <summary>Writes one document per partition through the first pod and reads it at once through the second; returns the stale reads.</summary>
    private static async Task<int> WriteThroughOneReadThroughOtherAsync(ServerProcess[] pods, int partitions)
    {
        using var writes = pods[0].CreateChannel();
        using var reads = pods[1].CreateChannel();
        var writer = new DocStoreService.DocStoreServiceClient(writes);
        var reader = new DocStoreService.DocStoreServiceClient(reads);
        var prefix = Guid.NewGuid().ToString("N")[..8];
        var outcomes = new List<ReadAfterWrite.Outcome>();
        for (var i = 0; i < partitions; i++)
        {
            outcomes.Add(await ReadAfterWrite.CheckAsync(writer, reader, $"{prefix}-{i}", version: 1));
        }

        var tally = ReadAfterWrite.Tally.Of(outcomes);
        Assert.Equal(0, tally.Failed);
        return tally.Stale;
    }
}
