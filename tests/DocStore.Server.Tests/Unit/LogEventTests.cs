extern alias server;

using System.Reflection;
using Microsoft.Extensions.Logging;

namespace DocStore.Server.Tests.Unit;

/// <summary>Every source-generated log message of the server has its own event id and a name, so that log queries can select one message.</summary>
public sealed class LogEventTests
{
    private static readonly (MethodInfo Method, LoggerMessageAttribute Attribute)[] Messages =
    [
        .. typeof(server::DocStore.Server.DocStoreHostingExtensions).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .Select(m => (Method: m, Attribute: m.GetCustomAttribute<LoggerMessageAttribute>()!))
            .Where(m => m.Attribute is not null),
    ];

    [Fact]
    public void Event_ids_are_unique_across_the_server()
    {
        Assert.True(Messages.Length >= 10, $"Found only {Messages.Length} log messages.");
        var repeated = Messages.GroupBy(m => m.Attribute.EventId).Where(g => g.Count() > 1)
            .Select(g => $"{g.Key}: {string.Join(", ", g.Select(m => Name(m.Method)))}").ToArray();
        Assert.True(repeated.Length == 0, "Event ids used more than once: " + string.Join("; ", repeated));
    }

    [Fact]
    public void Every_message_has_a_unique_event_name()
    {
        var unnamed = Messages.Where(m => string.IsNullOrWhiteSpace(m.Attribute.EventName)).Select(m => Name(m.Method)).ToArray();
        Assert.True(unnamed.Length == 0, "Log messages without an EventName: " + string.Join(", ", unnamed));
        Assert.Equal(Messages.Length, Messages.Select(m => m.Attribute.EventName).Distinct(StringComparer.Ordinal).Count());
    }

    [Theory]
    [InlineData("DocStore.Server.Api", 100, 199)]
    [InlineData("DocStore.Server.Storage", 200, 299)]
    [InlineData("DocStore.Server.Storage.Embedded", 200, 249)]
    [InlineData("DocStore.Server.Storage.Cosmos", 250, 299)]
    [InlineData("DocStore.Server.Consistency", 300, 399)]
    [InlineData("DocStore.Server.Operations", 400, 499)]
    [InlineData("DocStore.Server.Security", 700, 899)]
    public void Each_area_keeps_to_its_id_range(string area, int first, int last)
    {
        var inArea = Messages.Where(m => m.Method.DeclaringType!.Namespace == area).ToArray();
        Assert.NotEmpty(inArea);
        Assert.All(inArea, m => Assert.InRange(m.Attribute.EventId, first, last));
    }

    private static string Name(MethodInfo method) => $"{method.DeclaringType!.FullName}.{method.Name}";
}
