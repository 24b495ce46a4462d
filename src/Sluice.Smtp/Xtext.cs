namespace Sluice.Smtp;

/// <summary>RFC 3461 §4 xtext: printable ASCII except '+' and '=', with "+XX" hex escapes.</summary>
public static class Xtext
{
    public static bool IsValid(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return false;
        }

        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c == '+')
            {
                if (i + 2 >= value.Length || !IsUpperHex(value[i + 1]) || !IsUpperHex(value[i + 2]))
                {
                    return false;
                }

                i += 2;
                continue;
            }

            if (c is < '!' or > '~' || c == '=')
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsUpperHex(char c) => c is >= '0' and <= '9' or >= 'A' and <= 'F';
}
