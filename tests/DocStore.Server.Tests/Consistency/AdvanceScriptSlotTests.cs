extern alias server;

using System.Text.RegularExpressions;
using server::DocStore.Server.Consistency;

namespace DocStore.Server.Tests.Consistency;

/// <summary>
/// Redis Cluster runs a script on the node of its keys' slot and refuses keys of several slots (CROSSSLOT).
/// DocStore's only multi-command call is the advance script; it must name one key and build none.
/// </summary>
public sealed class AdvanceScriptSlotTests
{
    [Fact]
    public void The_advance_script_touches_one_key_so_no_command_crosses_slots()
    {
        // Every key the script names is KEYS[1], and it builds no key name of its own: a cluster routes it to one slot.
        var keys = Regex.Matches(RedisTokenStore.AdvanceScript, @"KEYS\[(\d+)\]").Select(m => m.Groups[1].Value).Distinct().ToList();
        Assert.Equal(["1"], keys);
        Assert.All(
            Regex.Matches(RedisTokenStore.AdvanceScript, @"redis\.call\('(\w+)',\s*([^,)]+)").Select(m => (Command: m.Groups[1].Value, Key: m.Groups[2].Value.Trim())),
            call => Assert.Equal("KEYS[1]", call.Key));
    }
}
