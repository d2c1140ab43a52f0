package veglens

import "fmt"

// MaxImageBytes is the largest image veglens accepts: 10 MiB.
const MaxImageBytes = 10 << 20

// FormatBytes writes a size for people: "512 bytes", "12.4 KB", "10 MB"
// (KB and MB are 1024 and 1024² bytes), with one decimal rounded up, so a
// size just over a limit never reads like the limit itself ("10.1 MB", never
// "10 MB" for 10 MiB + 1 byte). Whole numbers drop the ".0"; the unit is
// chosen after rounding (1 MiB − 1 byte reads "1 MB", not "1024 KB").
func FormatBytes(n int64) string {
	const kib, mib = 1 << 10, 1 << 20
	if n < kib {
		return fmt.Sprintf("%d bytes", n)
	}
	unit, name := int64(kib), "KB"
	if n >= mib || ceilDiv(n*10, kib) >= 10*1024 {
		unit, name = mib, "MB"
	}
	tenths := ceilDiv(n*10, unit)
	if tenths%10 == 0 {
		return fmt.Sprintf("%d %s", tenths/10, name)
	}
	return fmt.Sprintf("%d.%d %s", tenths/10, tenths%10, name)
}

func ceilDiv(a, b int64) int64 { return (a + b - 1) / b }
