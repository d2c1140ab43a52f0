import { describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, within } from '@testing-library/react';
import { NoneFound } from './NoneFound';

describe('NoneFound', () => {
  const violet = { name: 'violet', hex: '#8000FF' };

  it('draws the asked-for combination as an empty frame in that colour', () => {
    render(<NoneFound kind="Tomato" colour={violet} alternatives={[]} onPick={() => {}} />);
    expect(screen.getByRole('heading', { name: 'No violet tomatoes yet' })).toBeTruthy();
    const frame = screen.getByRole('figure');
    expect(frame.style.borderColor).toBe('rgb(128, 0, 255)');
    const img = within(frame).getByRole('img') as HTMLImageElement;
    expect(img.alt).toMatch(/tomato/i);
    expect(img.getAttribute('src')).toMatch(/kinds\/Tomato\.jpg$/);
    expect(within(frame).getByText('violet')).toBeTruthy();
  });

  it('offers the nearest colours that exist as one-click searches', () => {
    const onPick = vi.fn();
    render(
      <NoneFound
        kind="Tomato"
        colour={violet}
        alternatives={[
          { colour: { name: 'red', hex: '#FF0000' }, palette: 'rgb', count: 7 },
          { colour: { name: 'orange', hex: '#FF8000' }, palette: 'rgb', count: 2 },
          { colour: { name: 'white', hex: '#FFFFFF' }, palette: 'common', count: 3 },
        ]}
        onPick={onPick}
      />,
    );
    const buttons = within(screen.getByRole('list', { name: /nearest colours/i })).getAllByRole('button');
    expect(buttons.map((b) => b.textContent)).toEqual(['red7', 'orange2', 'white3']);
    fireEvent.click(buttons[1]!);
    expect(onPick).toHaveBeenCalledWith('orange', 'rgb');
    // neutral ones (no wheel colour) are offered by their everyday name
    fireEvent.click(buttons[2]!);
    expect(onPick).toHaveBeenCalledWith('white', 'common');
  });

  it('points to the upload page when the kind exists in no colour at all', () => {
    render(<NoneFound kind="Radish" colour={violet} alternatives={[]} onPick={() => {}} />);
    expect(screen.getByText(/no radishes in any colour yet/i)).toBeTruthy();
    expect(screen.getByRole('link', { name: /upload a photo/i }).getAttribute('href')).toBe('?view=upload');
    expect(screen.queryByRole('button')).toBeNull();
  });
});
