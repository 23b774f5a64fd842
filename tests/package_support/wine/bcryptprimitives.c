/* TEST SUPPORT ONLY, never shipped: a stand-in for Windows' bcryptprimitives.dll, for running
 * Windows builds under Wine 8. Rust's standard library (1.78 and later) gets random bytes from
 * ProcessPrng, which real Windows 10+ exports from bcryptprimitives.dll but Wine 8 does not
 * (Wine 9 does). This DLL, placed next to the test program, provides it over RtlGenRandom
 * (advapi32's SystemFunction036), which Wine implements with the host's random source. */
#include <windows.h>
#include <ntsecapi.h>

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
    while (len > 0) {
        ULONG chunk = len > 0x40000000u ? 0x40000000u : (ULONG)len;
        if (!RtlGenRandom(data, chunk)) return FALSE;
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}
