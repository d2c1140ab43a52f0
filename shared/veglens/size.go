package veglens

import "fmt"

// MaxImageBytes is the largest image veglens accepts: 10 MiB.
const MaxImageBytes = 10 << 20

// FormatBytes writes a size for people: "512 bytes", "12.4 KB", "10 MB"
// (KB and MB are 1024 and 1024² bytes). The fraction is rounded up, so a size
// just over a limit never reads like the limit itself ("10.1 MB", never
// "10 MB" for 10 MiB + 1 byte); whole numbers drop the ".0".
func FormatBytes(n int64) string {
	const kib, mib = 1 << 10, 1 << 20
	unit, name := int64(0), ""
	switch {
	case n >= mib:
		unit, name = mib, "MB"
	case n >= kib:
		unit, name = kib, "KB"
	default:
		return fmt.Sprintf("%d bytes", n)
	}
	tenths := (n*10 + unit - 1) / unit
	if tenths%10 == 0 {
		return fmt.Sprintf("%d %s", tenths/10, name)
	}
	return fmt.Sprintf("%d.%d %s", tenths/10, tenths%10, name)
}
