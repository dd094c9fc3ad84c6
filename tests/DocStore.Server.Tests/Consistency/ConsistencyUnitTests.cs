extern alias server;

using System.Text;
using server::DocStore.Server;
using server::DocStore.Server.Consistency;

namespace DocStore.Server.Tests.Consistency;

public sealed class ConsistencyUnitTests
{
    private const string Secret = "0123456789abcdef0123456789abcdef-test";

    [Fact]
    public void Keys_carry_the_prefix_and_a_short_scope_but_never_the_partition_key()
    {
        var scope = TokenKeys.ScopeHash("embedded/0123456789abcdef/items");
        var key = Keys(Secret).For(scope, "alice@example.com");

        Assert.StartsWith($"docstore:st:{scope}:", key, StringComparison.Ordinal);
        Assert.DoesNotContain("alice", key, StringComparison.Ordinal);
        Assert.DoesNotContain("example", key, StringComparison.Ordinal);
        Assert.Equal(12, scope.Length);
        Assert.NotEqual(scope, TokenKeys.ScopeHash("embedded/0123456789abcdef/orders"));
    }

    [Fact]
    public void Every_pod_with_the_deployments_secret_computes_the_same_name_and_another_secret_another()
    {
        var scope = TokenKeys.ScopeHash("s");
        var podA = Keys(Secret);
        var podB = Keys(Secret);

        Assert.Equal(podA.For(scope, "alice@example.com"), podB.For(scope, "alice@example.com"));
        Assert.NotEqual(podA.For(scope, "alice@example.com"), podA.For(scope, "bob@example.com"));
        Assert.NotEqual(podA.For(scope, "alice@example.com"), Keys(Secret + "x").For(scope, "alice@example.com"));

        // Without the secret, hashing a guess does not give the name: the name is keyed.
        var unkeyed = System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes("alice@example.com"));
        Assert.DoesNotContain(Convert.ToBase64String(unkeyed)[..12].Replace('+', '-').Replace('/', '_'), podA.For(scope, "alice@example.com"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2048)]
    public void Every_name_is_short_whatever_the_partition_key(int length)
    {
        var scope = TokenKeys.ScopeHash("s");
        var key = Keys(Secret).For(scope, new string('k', length));

        Assert.True(Encoding.UTF8.GetByteCount(key) < 60, key);
        Assert.NotEqual(key, Keys(Secret).For(scope, new string('k', length - 1) + "j"));
    }

    [Fact]
    public void The_key_comes_from_the_setting_else_the_redis_password_else_a_fixed_key()
    {
        var withSecret = KeyNameKey.From(new SessionTokenOptions { KeyNameSecret = Secret }, new RedisOptions { Configuration = "r:6379,password=pw1" });
        var fromPassword = KeyNameKey.From(new SessionTokenOptions(), new RedisOptions { Configuration = "r:6379,password=pw1" });
        var otherPassword = KeyNameKey.From(new SessionTokenOptions(), new RedisOptions { Configuration = "other:6380,password=pw2,ssl=true" });
        var samePassword = KeyNameKey.From(new SessionTokenOptions(), new RedisOptions { Configuration = "r2:6379,password=pw1" });
        var none = KeyNameKey.From(new SessionTokenOptions(), new RedisOptions { Configuration = "r:6379" });

        Assert.Equal(KeyNameSource.Setting, withSecret.Source);
        Assert.Equal(KeyNameSource.RedisPassword, fromPassword.Source);
        Assert.Equal(KeyNameSource.Fixed, none.Source);
        Assert.NotEqual(withSecret.Bytes, fromPassword.Bytes);
        Assert.NotEqual(fromPassword.Bytes, otherPassword.Bytes);
        Assert.Equal(fromPassword.Bytes, samePassword.Bytes);
        Assert.Equal(32, withSecret.Bytes.Length);
    }

    private static TokenKeys Keys(string secret) =>
        new(KeyNameKey.From(new SessionTokenOptions { KeyNameSecret = secret }, new RedisOptions()));

    [Fact]
    public void The_process_session_only_moves_forward_range_by_range_and_keeps_scopes_apart()
    {
        var session = new ProcessSession();

        session.Observe("s", "0:-1#5");
        session.Observe("s", "0:-1#3");
        session.Observe("s", "1:-1#2");
        session.Observe("s", null);
        session.Observe("t", "0:-1#9");

        Assert.Equal("0:-1#5,1:-1#2", session.Get("s"));
        Assert.Equal("0:-1#9", session.Get("t"));
        Assert.Null(session.Get("other"));
    }

    [Fact]
    public void The_process_session_keeps_region_lsns_and_ignores_what_it_already_covers_or_cannot_read()
    {
        var session = new ProcessSession();

        session.Observe("s", "0:1#5#1=4");
        session.Observe("s", "0:1#5#1=3");
        session.Observe("s", "0:1#4#1=9");
        session.Observe("s", "not a token");
        Assert.Equal("0:1#5#1=9", session.Get("s"));

        session.Observe("s", "0:1#5#2=1");
        Assert.Equal("0:1#5#1=9#2=1", session.Get("s"));
    }

    [Theory]
    [InlineData(null, null, TokenSharing.Local)]
    [InlineData("localhost:6379", null, TokenSharing.Redis)]
    [InlineData("localhost:6379", TokenSharing.Off, TokenSharing.Off)]
    [InlineData(null, TokenSharing.Off, TokenSharing.Off)]
    public void Sharing_defaults_to_redis_when_configured_and_to_local_otherwise(string? redis, TokenSharing? set, TokenSharing expected)
    {
        var options = new DocStoreOptions { Redis = { Configuration = redis }, SessionTokens = { Sharing = set } };
        Assert.Equal(expected, options.SessionTokens.EffectiveSharing(options.Redis));
    }

    [Fact]
    public void The_validator_names_each_consistency_key_that_is_wrong()
    {
        var options = new DocStoreOptions
        {
            Embedded = { ReplicaLag = TimeSpan.FromSeconds(-1) },
            SessionTokens = { Sharing = TokenSharing.Redis, Ttl = TimeSpan.Zero, RedisTimeout = TimeSpan.Zero, BreakDuration = TimeSpan.FromMilliseconds(10) },
        };
        options.Collections["items"] = new CollectionOptions { PartitionKeyPath = "/pk" };

        var problems = Infrastructure.SettingsProblems.Of(options);

        foreach (var key in new[] { "DocStore:Embedded:ReplicaLag", "DocStore:SessionTokens:Sharing", "DocStore:SessionTokens:Ttl", "DocStore:SessionTokens:RedisTimeout", "DocStore:SessionTokens:BreakDuration" })
        {
            Assert.Contains(problems, p => p.StartsWith(key, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void A_redis_configuration_string_that_does_not_parse_stops_start_up_with_its_key()
    {
        var options = new DocStoreOptions { Redis = { Configuration = "localhost,connectTimeout=soon" } };
        options.Collections["items"] = new CollectionOptions { PartitionKeyPath = "/pk" };

        var problems = Infrastructure.SettingsProblems.Of(options);

        Assert.Contains(problems, p => p.StartsWith("DocStore:Redis:Configuration", StringComparison.Ordinal));
    }
}
