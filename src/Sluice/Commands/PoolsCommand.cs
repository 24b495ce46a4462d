using System.CommandLine;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;

namespace Sluice.Commands;

/// <summary><c>sluice pools</c>: every relay pool and member of a node with its health, load and last probe.</summary>
internal static class PoolsCommand
{
    public static Command Create()
    {
        var api = QueueCommand.ApiOption();
        var key = QueueCommand.KeyOption();
        var json = QueueCommand.JsonOption();
        var command = new Command("pools", "Show the relay pools: members, weight, tier, health, in flight, failure rate, last probe.") { api, key, json };
        command.SetAction((p, ct) => QueueCommand.RunAsync(p, api, async http =>
        {
            var pools = await http.GetFromJsonAsync<JsonElement>("api/v1/pools", ct);
            if (p.GetValue(json))
            {
                QueueCommand.Print(pools);
                return;
            }

            foreach (var pool in pools.EnumerateArray())
            {
                var next = pool.GetProperty("nextPool").GetString() is { } n ? $", then {n}" : string.Empty;
                Console.WriteLine($"{pool.GetProperty("name").GetString()} ({pool.GetProperty("policy").GetString()}{next}; none available: {pool.GetProperty("whenNoneAvailable").GetString()})");
                Console.WriteLine($"  {"MEMBER",-16} {"ADDRESS",-22} {"W",3} {"T",2} {"HEALTH",-9} {"ACTIVE",-9} {"PASSIVE",-9} {"INFLT",5} {"PICKED",8} {"FAIL%",6}  LAST PROBE");
                foreach (var m in pool.GetProperty("members").EnumerateArray())
                {
                    var probe = m.GetProperty("lastProbe") is { ValueKind: JsonValueKind.Object } lp
                        ? string.Create(CultureInfo.InvariantCulture, $"{(lp.GetProperty("healthy").GetBoolean() ? "ok" : "FAIL")} {lp.GetProperty("latencyMs").GetDouble():0.#} ms: {lp.GetProperty("detail").GetString()}")
                        : "-";
                    Console.WriteLine(string.Create(
                        CultureInfo.InvariantCulture,
                        $"  {m.GetProperty("name").GetString(),-16} {m.GetProperty("address").GetString(),-22} {m.GetProperty("weight").GetInt32(),3} {m.GetProperty("tier").GetInt32(),2} {m.GetProperty("health").GetString(),-9} {m.GetProperty("activeHealth").GetString(),-9} {m.GetProperty("passiveHealth").GetString(),-9} {m.GetProperty("inFlight").GetInt32(),5} {m.GetProperty("selected").GetInt64(),8} {m.GetProperty("recentFailureRate").GetDouble() * 100,6:0.0}  {probe}"));
                }
            }
        }));
        return command;
    }
}
