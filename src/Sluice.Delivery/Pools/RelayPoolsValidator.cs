using Sluice.Core.Balancing;
using Sluice.Delivery.Smtp;

namespace Sluice.Delivery.Pools;

/// <summary>Relay pools: what every balancing pool needs, then the outbound settings of their members (TLS policy, credentials).</summary>
internal sealed class RelayPoolsValidator(string prefix = "Delivery:Pools")
{
    /// <summary>Config problems of the pools' outbound settings (the balancing library checks the rest).</summary>
    public List<string> Validate(IReadOnlyList<BalancerPoolOptions> pools)
    {
        ArgumentNullException.ThrowIfNull(pools);
        var errors = new BalancerPoolsValidator(prefix).Validate(pools);
        for (var i = 0; i < pools.Count; i++)
        {
            for (var j = 0; j < pools[i].Members.Count; j++)
            {
                var member = pools[i].Members[j];
                var key = $"{prefix}:{i}:Members:{j}";
                if (member.Tls is { } tls && !Enum.TryParse<TlsPolicy>(tls, ignoreCase: true, out _))
                {
                    errors.Add($"{key}:Tls: '{tls}' is not Opportunistic, Required or Disabled");
                }

                if (member.Username is not null && string.IsNullOrEmpty(member.Password))
                {
                    errors.Add($"{key}:Password: a Username needs a Password");
                }

                if (member.Username is not null && member.Tls is { } policy && !policy.Equals(nameof(TlsPolicy.Required), StringComparison.OrdinalIgnoreCase))
                {
                    errors.Add($"{key}:Tls: credentials are only sent over TLS; set Tls to Required (or leave it unset)");
                }
            }
        }

        return errors;
    }
}
