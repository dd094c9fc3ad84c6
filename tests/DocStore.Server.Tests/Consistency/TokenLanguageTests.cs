extern alias server;

using DocStore.Server.Tests.Infrastructure;
using FsCheck;
using FsCheck.Fluent;
using server::DocStore.Server.Consistency;
using server::DocStore.Shared;
using StackExchange.Redis;

namespace DocStore.Server.Tests.Consistency;

/// <summary>
/// The Redis advance script (AdvanceToken.lua, run by a real redis-server) and the C# parser
/// (SessionToken.TryParse) accept exactly the same tokens: FsCheck generates tokens, valid and not, and
/// each goes through both. A value the script keeps is one C# reads, and a value C# refuses is one the
/// script replaces at the next advance, so no value can hold a key that readers ignore.
/// </summary>
public sealed class TokenLanguageTests : IAsyncLifetime
{
    /// <summary>What the other side of each advance holds: a valid token whose range no generated token is likely to name.</summary>
    private const string Other = "8765:3#21#1=20";

    private RedisServer _redis = null!;
    private ConnectionMultiplexer _connection = null!;

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync();
        _connection = await _redis.ConnectAsync();
    }

    public async Task DisposeAsync()
    {
        await _connection.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [Fact]
    public void The_script_and_the_parser_accept_the_same_tokens_and_merge_them_alike()
    {
        var accepted = 0;
        var refused = 0;
        var property = Prop.ForAll(Arb.From(Tokens(), Shrink), candidate =>
        {
            var parsed = SessionToken.TryParse(candidate, out var token, out _) ? token : null;
            _ = parsed is null ? Interlocked.Increment(ref refused) : Interlocked.Increment(ref accepted);
            var other = SessionToken.ParseOrNull(Other)!;

            // The candidate stored, a valid token advanced onto it: merged if the candidate is a token, else replaced.
            var stored = Advance(candidate, Other);
            var expectedStored = parsed is null ? Other : Bounded(SessionToken.Merge(parsed, other).ToString(), Other);

            // A valid token stored, the candidate advanced onto it: merged if the candidate is a token, else nothing changes.
            var advanced = Advance(Other, candidate);
            var expectedAdvanced = parsed is null ? Other : Bounded(SessionToken.Merge(other, parsed).ToString(), candidate);

            return (stored == expectedStored).Label($"stored {Quote(candidate)}: script left {Quote(stored)}, C# expects {Quote(expectedStored)}")
                .And((advanced == expectedAdvanced).Label($"advanced {Quote(candidate)}: script left {Quote(advanced)}, C# expects {Quote(expectedAdvanced)}"))
                .And((SessionToken.ParseOrNull(stored) is not null && SessionToken.ParseOrNull(advanced) is not null).Label("the script kept a value C# refuses"));
        });

        Check.One(Config.QuickThrowOnFailure.WithMaxTest(1500).WithQuietOnSuccess(true), property);

        // The generator covers both sides of the language.
        Assert.True(accepted > 300 && refused > 300, $"accepted {accepted}, refused {refused}");
    }

    [Theory]
    [InlineData("0:-1#99999999999999999999999")]
    [InlineData("0:-1#9223372036854775808")]
    [InlineData("0:-1#1000000000000000")]
    [InlineData("0:1e3#5")]
    [InlineData("0:-1#0x10")]
    [InlineData("0:-1#007")]
    [InlineData("0:-0#5")]
    [InlineData("0:+1#5")]
    [InlineData("0:-1#5,0:-1#6")]
    [InlineData("0:-1#5#1=2#1=3")]
    [InlineData("0:-1##5")]
    [InlineData("0:-1#5,,1:-1#2")]
    [InlineData(" 0:-1#5")]
    public void A_token_shaped_value_either_side_refuses_is_refused_by_both_and_replaced_by_the_next_advance(string poison)
    {
        Assert.False(SessionToken.TryParse(poison, out _, out _));
        Assert.Equal("0:-1#6", Advance(poison, "0:-1#6"));
    }

    [Fact]
    public void A_megabyte_of_token_shape_is_refused_by_both_and_replaced_by_the_next_advance()
    {
        var huge = "0:-1#1" + string.Concat(Enumerable.Range(0, (1 << 20) / 8).Select(i => $",{i + 1}:-1#1"));

        Assert.False(SessionToken.TryParse(huge, out _, out var error));
        Assert.Contains("longer than 4096", error, StringComparison.Ordinal);
        Assert.Equal("0:-1#6", Advance(huge, "0:-1#6"));
        Assert.Equal("0:-1#6", Advance("0:-1#6", huge));
    }

    [Fact]
    public void The_longest_numbers_compare_exactly_in_the_script()
    {
        // 15 digits differing in the last place: as doubles they are still apart.
        Assert.Equal("0:999999999999999#999999999999999", Advance("0:999999999999998#999999999999998", "0:999999999999999#999999999999999"));
        Assert.Equal("0:-999999999999998#999999999999999", Advance("0:-999999999999999#999999999999999", "0:-999999999999998#1"));
    }

    /// <summary>The merge the script stores: the merge itself, or the new token when the merge outgrows the bound.</summary>
    private static string Bounded(string merged, string incoming) => merged.Length > SessionToken.MaxLength ? incoming : merged;

    private static string Quote(string text) => text.Length > 80 ? $"'{text[..80]}…' ({text.Length} chars)" : $"'{text}'";

    /// <summary>Stores <paramref name="stored"/> under a new key, runs the advance script with <paramref name="incoming"/>, returns what the key holds.</summary>
    private string Advance(string stored, string incoming)
    {
        var database = _connection.GetDatabase();
        RedisKey key = "docstore:st:test:" + Guid.NewGuid().ToString("N");
        database.StringSet(key, stored);
        database.ScriptEvaluate(RedisTokenStore.AdvanceScript, [key], [incoming, 60_000]);
        return (string?)database.StringGet(key) ?? "";
    }

    /// <summary>Tokens near the language's edges: mostly well formed, with numbers around the bounds, then often damaged.</summary>
    private static Gen<string> Tokens()
    {
        var digit = Gen.Elements("0123456789".ToCharArray());
        Gen<string> Digits(int min, int max) =>
            from length in Gen.Choose(min, max)
            from digits in Gen.ArrayOf(digit, length)
            select new string(digits);
        var canonical = Gen.Frequency(
            (2, Gen.Constant("0")),
            (6, from first in Gen.Elements("123456789".ToCharArray()) from rest in Digits(0, 4) select first + rest),
            (2, from first in Gen.Elements("123456789".ToCharArray()) from rest in Digits(13, 15) select first + rest));
        var number = Gen.Frequency(
            (60, canonical),
            (1, from rest in Digits(1, 3) select "0" + rest),
            (1, Digits(16, 24)),
            (1, Gen.Elements("", "+5", "-0", "1e5", "0x1f", " 5", "5.0", "\u0663", "inf", "-")));
        var version = Gen.Frequency((3, number), (2, from n in canonical select "-" + n), (1, Gen.Constant("-1")));
        // Region ids and range ids mostly by position, so that duplicates come from damage, not from chance.
        var regions =
            from count in Gen.Choose(0, 3)
            from pairs in Gen.ArrayOf(from odd in Gen.Frequency((9, Gen.Constant<string?>(null)), (1, number.Select(n => (string?)n))) from l in number select (odd, l), count)
            select string.Concat(pairs.Select((p, k) => $"#{p.odd ?? (k + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)}={p.l}"));
        var range =
            from odd in Gen.Frequency((9, Gen.Constant<string?>(null)), (1, number.Select(n => (string?)n)))
            from v in version
            from g in number
            from rs in regions
            select (odd, rest: $":{v}#{g}{rs}");
        var token =
            from count in Gen.Frequency((6, Gen.Choose(1, 3)), (1, Gen.Choose(250, 320)))
            from ranges in Gen.ArrayOf(range, count)
            select string.Join(',', ranges.Select((r, i) => (r.odd ?? i.ToString(System.Globalization.CultureInfo.InvariantCulture)) + r.rest));
        var damage = Gen.Frequency<Func<string, int, char, string>>(
            (9, Gen.Constant<Func<string, int, char, string>>((t, _, _) => t)),
            (1, Gen.Elements<Func<string, int, char, string>>(
                (t, at, c) => t.Insert(at % (t.Length + 1), c.ToString()),
                (t, at, _) => t.Length == 0 ? t : t.Remove(at % t.Length, 1),
                (t, at, c) => t.Length == 0 ? t : t.Remove(at % t.Length, 1).Insert(at % t.Length, c.ToString()),
                (t, _, _) => t + "," + t,
                (t, _, _) => t + ",",
                (t, _, _) => t.Replace("#", "##", StringComparison.Ordinal),
                (t, _, _) => t + "#1=5#1=6")));
        return
            from t in token
            from d in damage
            from at in Gen.Choose(0, 10_000)
            from c in Gen.Elements("0123456789:#=,-+ ex.".ToCharArray())
            select d(t, at, c);
    }

    /// <summary>Shrinks a failing token by dropping one character or one range, so a failure names a short token.</summary>
    private static IEnumerable<string> Shrink(string token)
    {
        var ranges = token.Split(',');
        if (ranges.Length > 1)
        {
            for (var i = 0; i < ranges.Length; i++)
            {
                yield return string.Join(',', ranges.Where((_, j) => j != i));
            }
        }

        for (var i = 0; i < token.Length && token.Length <= 64; i++)
        {
            yield return token.Remove(i, 1);
        }
    }
}
