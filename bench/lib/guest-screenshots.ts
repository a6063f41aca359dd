// Screenshots for docs/guests.md: the guest form and the waiting page at phone width in the
// three languages, and the teacher's Guests page on a phone. Called by bench/screenshots.ts with
// a running server whose chilli NAS "demo" belongs to the school the teacher is created in.
import { spawnSync } from 'node:child_process';
import type { Browser } from 'playwright-core';

export interface GuestShots {
  browser: Browser;
  publicUrl: string;
  /** A CoovaChilli redirect to the portal (its MAC is the guest's). */
  entry: string;
  env: NodeJS.ProcessEnv;
  school: string;
}

export async function shootGuests({ browser, publicUrl, entry, env, school }: GuestShots): Promise<string[]> {
  spawnSync(process.execPath, ['src/cli/bin.js', 'admin', 'create', 'aigerim', '--role', 'teacher', '--school', school, '--name', 'Айгерім Сәрсенова', '--password-stdin'], { env, input: 'screenshot-pass-2' });
  const written: string[] = [];
  const shot = async (page: Awaited<ReturnType<Browser['newPage']>>, name: string) => {
    const path = `docs/screenshots/${name}.png`;
    await page.screenshot({ path, fullPage: true });
    written.push(path);
  };
  for (const lang of ['kk', 'ru', 'en']) {
    const page = await browser.newPage({ viewport: { width: 360, height: 740 }, locale: lang });
    await page.goto(`${entry}&lang=${lang}`);
    await page.locator('a[href^="/guest?"]').click();
    await page.locator('#name').fill(lang === 'en' ? 'Saule Akhmetova' : 'Сәуле Ахметова');
    await page.locator('#contact').fill('+7 701 555 12 34');
    await page.locator('#sponsor').selectOption({ label: 'Айгерім Сәрсенова' });
    await page.locator('#reason').fill(lang === 'en' ? 'Parents meeting, grade 5B' : lang === 'ru' ? 'Родительское собрание, 5Б' : 'Ата-аналар жиналысы, 5Б');
    await shot(page, `guest-form-${lang}`);
    if (lang === 'en') {
      await page.locator('button[type="submit"]').click();
      await page.waitForURL(/\/guest\/wait\?/);
      for (const shown of ['kk', 'ru', 'en']) {
        await page.goto(page.url().replace(/lang=\w+/, `lang=${shown}`));
        await shot(page, `guest-waiting-${shown}`);
      }
    }
    await page.close();
  }
  const page = await browser.newPage({ viewport: { width: 390, height: 900 }, locale: 'ru' });
  await page.goto(`${publicUrl}/console/login`);
  await page.locator('#username').fill('aigerim');
  await page.locator('#password').fill('screenshot-pass-2');
  await page.locator('form button[type="submit"]').click();
  await page.waitForURL(`${publicUrl}/console/`);
  await page.goto(`${publicUrl}/console/guests?lang=ru`);
  await shot(page, 'console-guests-ru-phone');
  await page.close();
  return written;
}
