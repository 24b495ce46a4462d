using System.Net;
using Sluice.Testing;

namespace Sluice.Integration.Tests;

/// <summary>
/// A small mail world on loopback: dnsmasq serving the zone "test", `sluice sink` MX hosts on
/// 127.0.0.2 and 127.0.0.3 (same port), nothing on 127.0.0.4, and a delivering node using that DNS.
/// slow.test, silent.test, throttle.test and fast.test have MX hosts on 127.0.0.9–12 for tests
/// that start their own peers there.
/// </summary>
public sealed class DeliveryFixture : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();

    public int MxPort { get; } = FreePort.Common("127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5", "127.0.0.6", "127.0.0.7", "127.0.0.8", "127.0.0.9", "127.0.0.10", "127.0.0.11", "127.0.0.12");

    public DnsmasqServer Dns { get; private set; } = null!;

    public SluiceProcess SinkA { get; private set; } = null!;

    public SluiceProcess SinkB { get; private set; } = null!;

    public SluiceProcess Node { get; private set; } = null!;

    public string StoreA => Path.Combine(_dir.Path, "sink-a");

    public string StoreB => Path.Combine(_dir.Path, "sink-b");

    public string DataDirectory => Path.Combine(_dir.Path, "node");

    public async Task InitializeAsync()
    {
        Dns = DnsmasqServer.Start(
            "test",
            60,
            "--mx-host=example.test,mx1.example.test,10",
            "--mx-host=example.test,mx2.example.test,20",
            "--host-record=mx1.example.test,127.0.0.2",
            "--host-record=mx2.example.test,127.0.0.3",
            "--mx-host=down.test,mxdown.down.test,10",
            "--mx-host=down.test,mx2.example.test,20",
            "--host-record=mxdown.down.test,127.0.0.4",
            "--mx-host=nullmx.test,.,0",
            "--mx-host=later.test,mx.later.test,10",
            "--host-record=mx.later.test,127.0.0.5",
            "--mx-host=never.test,mx.never.test,10",
            "--host-record=mx.never.test,127.0.0.6",
            "--mx-host=restart.test,mx.restart.test,10",
            "--host-record=mx.restart.test,127.0.0.7",
            "--mx-host=postfix.test,mx.postfix.test,10",
            "--host-record=mx.postfix.test,127.0.0.8",
            "--mx-host=slow.test,mx.slow.test,10",
            "--host-record=mx.slow.test,127.0.0.9",
            "--mx-host=silent.test,mx.silent.test,10",
            "--host-record=mx.silent.test,127.0.0.10",
            "--mx-host=throttle.test,mx.throttle.test,10",
            "--host-record=mx.throttle.test,127.0.0.11",
            "--mx-host=fast.test,mx.fast.test,10",
            "--host-record=mx.fast.test,127.0.0.12");
        SinkA = await StartSinkAsync(StoreA, "127.0.0.2");
        SinkB = await StartSinkAsync(StoreB, "127.0.0.3");
        Node = await StartNodeAsync(DataDirectory);
    }

    public Task<SluiceProcess> StartSinkAsync(string store, string address, params string[] args)
        => SluiceProcess.StartSinkAsync(store, args, address, MxPort);

    public Task<SluiceProcess> StartNodeAsync(string data, TimeSpan? maxAge = null, TimeSpan? retry = null, params string[] extra)
        => StartNodeAsync(data, null, maxAge, retry, extra);

    public async Task<SluiceProcess> StartNodeAsync(string data, IDictionary<string, string>? environment, TimeSpan? maxAge, TimeSpan? retry, params string[] extra)
    {
        var config = Path.Combine(_dir.Path, $"node-{Guid.NewGuid():N}.json");
        var age = (maxAge ?? TimeSpan.FromDays(5)).ToString("c", System.Globalization.CultureInfo.InvariantCulture);
        var interval = (retry ?? TimeSpan.FromSeconds(1)).ToString("c", System.Globalization.CultureInfo.InvariantCulture);
        await File.WriteAllTextAsync(config, $$"""
            {
              "Smtp": { "Hostname": "node.sluice.test" },
              "Delivery": {
                "MxPort": {{MxPort}},
                "Retry": { "Intervals": [ "{{interval}}" ], "Jitter": 0, "MaxAge": "{{age}}" },
                "Shaping": { "Default": { "ConnectTimeout": "00:00:02", "MaxConnections": 4, "InitialConnections": 2 } },
                "PollInterval": "00:00:00.200"
              }
            }
            """);
        return await SluiceProcess.StartAsync(data, ["--config", config, "--dns", Dns.Endpoint.ToString(), .. extra], environment, delivery: true);
    }

    public async Task DisposeAsync()
    {
        // Null-safe: InitializeAsync may have failed part way.
        await (Node?.DisposeAsync() ?? ValueTask.CompletedTask);
        await (SinkA?.DisposeAsync() ?? ValueTask.CompletedTask);
        await (SinkB?.DisposeAsync() ?? ValueTask.CompletedTask);
        Dns?.Dispose();
        _dir.Dispose();
    }

    /// <summary>Polls a sink's store until a message file whose text matches appears.</summary>
    public static async Task<string> WaitForMessageAsync(string store, string contains, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        var folder = Path.Combine(store, "new");
        while (DateTime.UtcNow < deadline)
        {
            if (Directory.Exists(folder))
            {
                foreach (var file in Directory.GetFiles(folder))
                {
                    var text = await File.ReadAllTextAsync(file);
                    if (text.Contains(contains, StringComparison.Ordinal))
                    {
                        return file;
                    }
                }
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"no message containing '{contains}' reached {store}");
    }
}
