/* A stand-in for Windows' bcryptprimitives.dll, which wine 8 lacks: Rust's std imports
 * ProcessPrng from it for its random hash keys. Built with mingw and placed beside a test
 * executable (scripts/cross.sh); never part of a release. RtlGenRandom is advapi32's
 * SystemFunction036, which wine has. */
#include <windows.h>
#include <ntsecapi.h>

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
    while (len > 0) {
        ULONG chunk = len > 0x40000000 ? 0x40000000 : (ULONG)len;
        if (!RtlGenRandom(data, chunk))
            return FALSE;
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}
