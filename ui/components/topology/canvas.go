package topology

import (
	"strings"

	"github.com/halab/halab/ui/styles"
)

// canvas is a grid of one-cell runes, each with a style, rendered row by
// row with one style change per run of equal styles.
type canvas struct {
	w, h   int
	cells  []rune
	ids    []uint8
	styles []styles.Style
}

func (c *canvas) reset(w, h int) {
	c.w, c.h = max(w, 0), max(h, 0)
	n := c.w * c.h
	if cap(c.cells) < n {
		c.cells, c.ids = make([]rune, n), make([]uint8, n)
	}
	c.cells, c.ids = c.cells[:n], c.ids[:n]
	for i := range c.cells {
		c.cells[i], c.ids[i] = ' ', 0
	}
	c.styles = append(c.styles[:0], styles.Style{})
}

func (c *canvas) id(st styles.Style) uint8 {
	for i, s := range c.styles {
		if s == st {
			return uint8(i)
		}
	}
	if len(c.styles) == 255 {
		return 0
	}
	c.styles = append(c.styles, st)
	return uint8(len(c.styles) - 1)
}

func (c *canvas) put(x, y int, r rune, st styles.Style) {
	if x < 0 || y < 0 || x >= c.w || y >= c.h {
		return
	}
	c.cells[y*c.w+x], c.ids[y*c.w+x] = r, c.id(st)
}

func (c *canvas) at(x, y int) rune {
	if x < 0 || y < 0 || x >= c.w || y >= c.h {
		return 0
	}
	return c.cells[y*c.w+x]
}

// text writes s from (x, y), one rune per cell; it returns the cells used.
func (c *canvas) text(x, y int, s string, st styles.Style) int {
	n := 0
	for _, r := range s {
		c.put(x+n, y, r, st)
		n++
	}
	return n
}

func (c *canvas) hline(x1, x2, y int, r rune, st styles.Style) {
	for x := x1; x <= x2; x++ {
		c.put(x, y, r, st)
	}
}

// box draws a frame with a title in its top border.
func (c *canvas) box(x, y, w, h int, title string, titleSt, st styles.Style) {
	c.put(x, y, '┌', st)
	c.hline(x+1, x+w-2, y, '─', st)
	c.put(x+w-1, y, '┐', st)
	for r := y + 1; r < y+h-1; r++ {
		c.put(x, r, '│', st)
		c.put(x+w-1, r, '│', st)
	}
	c.put(x, y+h-1, '└', st)
	c.hline(x+1, x+w-2, y+h-1, '─', st)
	c.put(x+w-1, y+h-1, '┘', st)
	if title != "" {
		c.put(x+1, y, ' ', st)
		n := c.text(x+2, y, title, titleSt)
		c.put(x+2+n, y, ' ', st)
	}
}

func (c *canvas) lines() []string {
	out := make([]string, c.h)
	var b strings.Builder
	for y := 0; y < c.h; y++ {
		b.Reset()
		row := c.cells[y*c.w : (y+1)*c.w]
		ids := c.ids[y*c.w : (y+1)*c.w]
		for x := 0; x < c.w; {
			end := x + 1
			for end < c.w && ids[end] == ids[x] {
				end++
			}
			b.WriteString(c.styles[ids[x]].Render(string(row[x:end])))
			x = end
		}
		out[y] = b.String()
	}
	return out
}
