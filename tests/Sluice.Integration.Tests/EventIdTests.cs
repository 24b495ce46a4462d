using System.Reflection;
using Microsoft.Extensions.Logging;

namespace Sluice.Integration.Tests;

/// <summary>Log event ids are stable and name one message each (operators alert and filter on them).</summary>
public sealed class EventIdTests
{
    private static readonly string[] Assemblies = ["Sluice", "Sluice.Core", "Sluice.Server", "Sluice.Storage", "Sluice.Delivery", "Sluice.Smtp"];

    [Fact]
    public void LoggerMessages_InEveryAssembly_HaveDistinctEventIds()
    {
        var messages = new List<(int Id, string Where)>();
        foreach (var name in Assemblies)
        {
            foreach (var type in Assembly.Load(name).GetTypes())
            {
                foreach (var method in type.GetMethods(BindingFlags.Static | BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                {
                    if (method.GetCustomAttribute<LoggerMessageAttribute>() is { } message)
                    {
                        messages.Add((message.EventId, $"{type.FullName}.{method.Name}"));
                    }
                }
            }
        }

        Assert.True(messages.Count > 50, $"only {messages.Count} log messages found");
        var shared = messages.GroupBy(m => m.Id).Where(g => g.Count() > 1).Select(g => $"{g.Key}: {string.Join(", ", g.Select(m => m.Where))}").ToList();
        Assert.True(shared.Count == 0, "event ids used twice: " + string.Join("; ", shared));
    }
}
