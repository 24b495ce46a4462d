using System.CommandLine;
using System.Text.Json;
using Sluice.Delivery.Dkim;

namespace Sluice.Commands;

/// <summary><c>sluice dkim keygen DOMAIN</c>: a signing key in a file and the TXT record to publish.</summary>
internal static class DkimCommand
{
    public static Command Create()
    {
        var domain = new Argument<string>("domain") { Description = "The signing domain (d=), usually the From domain or its parent." };
        var selector = new Option<string>("--selector") { Description = "The selector (s=); default: the algorithm and this month, e.g. rsa-202611.", };
        var algorithm = new Option<string>("--algorithm") { Description = "rsa (2048 bits) or ed25519 (RFC 8463).", DefaultValueFactory = _ => "rsa" };
        algorithm.AcceptOnlyFromAmong("rsa", "ed25519");
        var output = new Option<FileInfo?>("--out") { Description = "Where to write the private key (default: DOMAIN.SELECTOR.key here); never overwritten." };
        var json = QueueCommand.JsonOption();
        var keygen = new Command("keygen", "Make a signing key (PEM, owner-only) and print the DNS TXT record that publishes it.") { domain, selector, algorithm, output, json };
        keygen.SetAction(async (p, ct) =>
        {
            var d = p.GetValue(domain)!.Trim().TrimEnd('.');
            if (Uri.CheckHostName(d) != UriHostNameType.Dns)
            {
                await Console.Error.WriteLineAsync($"dkim keygen: '{d}' is not a domain name");
                return 2;
            }

            var alg = p.GetValue(algorithm)!;
            var s = p.GetValue(selector) ?? $"{alg}-{TimeProvider.System.GetUtcNow():yyyyMM}";
            var path = p.GetValue(output)?.FullName ?? Path.Combine(Environment.CurrentDirectory, $"{d}.{s}.key");
            var key = DkimKeyGenerator.Generate(d, s, alg);
            try
            {
                await using var file = new StreamWriter(new FileStream(path, Core.OwnerOnlyFile.Create(FileMode.CreateNew)));
                await file.WriteAsync(key.PrivateKeyPem.AsMemory(), ct);
            }
            catch (IOException ex)
            {
                await Console.Error.WriteLineAsync($"dkim keygen: cannot write {path}: {ex.Message}");
                return 2;
            }

            if (p.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(new { domain = d, selector = s, algorithm = key.Algorithm, keyFile = path, recordName = key.RecordName, recordValue = key.RecordValue }));
            }
            else
            {
                Console.WriteLine($"Private key ({key.Algorithm}) written to {path}; keep it secret.");
                Console.WriteLine("Publish this TXT record:");
                Console.WriteLine($"  {key.RecordName}. IN TXT ( {DkimKeyGenerator.ZoneStrings(key.RecordValue)} )");
                Console.WriteLine("and add the key to the configuration:");
                Console.WriteLine($"  \"Dkim\": {{ \"Keys\": [ {{ \"Domain\": \"{d}\", \"Selector\": \"{s}\", \"KeyFile\": \"{path}\" }} ] }}");
            }

            return 0;
        });
        return new Command("dkim", "DKIM signing keys.") { keygen };
    }
}
