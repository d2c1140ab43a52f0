import { describe, expect, it } from 'vitest';
import { render, screen } from '@testing-library/react';
import type { Colours, PaletteResult } from '../lib/api/types';
import { ColourResults } from './ColourResults';

const brownShare = { name: 'orange', hex: '#FF8000', share: 0.8 };

function result(dominant: PaletteResult['dominant'], memory: boolean): PaletteResult {
  return { dominant, neutral: false, shares: [brownShare], ...(memory ? { memory_colour: true } : {}) };
}

function colours(memory: boolean): Colours {
  return {
    foreground: {
      rgb: result({ name: 'magenta', hex: '#FF00FF' }, memory),
      ryb: result({ name: 'red-violet', hex: '#C21460' }, memory),
      common: result({ name: 'purple', hex: '#7B3F9E' }, memory),
    },
    reference: {
      rgb: { dominant: { name: 'orange', hex: '#FF8000' }, neutral: false, shares: [] },
      ryb: { dominant: { name: 'orange', hex: '#FB9902' }, neutral: false, shares: [] },
    },
  };
}

describe('ColourResults', () => {
  it('says once, in words, when the name comes from the kind rather than the photo', () => {
    render(<ColourResults colours={colours(true)} />);
    expect(screen.getAllByText(/the light hid this vegetable's own hue/i)).toHaveLength(1);
  });

  it('says nothing of the kind when the photo was measured plainly', () => {
    render(<ColourResults colours={colours(false)} />);
    expect(screen.queryByText(/the light hid/i)).toBeNull();
  });
});
