using System.CommandLine;
using System.Net.Http.Json;
using System.Text.Json;

namespace Sluice.Commands;

/// <summary><c>sluice cluster status</c>: the nodes, their roles, the shards, and the health of the brokers and the database, asked of any node.</summary>
internal static class ClusterCommand
{
    public static Command Create()
    {
        var api = QueueCommand.ApiOption();
        var status = new Command("status", "This node, the nodes the cluster database knows (alive or gone), roles, shards, broker, database and Redis health, the leader, queue counts.");
        status.SetAction((p, ct) => QueueCommand.RunAsync(p, api, async http => QueueCommand.Print(await http.GetFromJsonAsync<JsonElement>("api/v1/cluster", ct))));
        return new Command("cluster", "Cluster mode: nodes sharing one queue (RabbitMQ), one state (PostgreSQL) and one set of limits (Redis).") { api, QueueCommand.KeyOption(), QueueCommand.JsonOption(), status };
    }
}
