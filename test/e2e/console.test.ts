// The console in real headless Chromium: a school admin signs in with the English labels,
// switches to Russian, creates a teacher and signs out; error pages (404, a tampered form) are
// translated HTML; the sign-in form's keyboard order; a phone's 360 px without sideways scroll;
// and no Content-Security-Policy violation on any page.
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NAV } from '../../src/console/nav.js';
import { type Store } from '../../src/store/index.js';
import { startListeningApp } from '../helpers/app.js';
import { launchBrowser } from '../helpers/browser.js';
import { type TestRedis } from '../helpers/redis.js';

let server: TestRedis;
let app: FastifyInstance;
let store: Store;
let browser: Browser;
let base: string;
const violations: string[] = [];

beforeAll(async () => {
  ({ server, app, store, base } = await startListeningApp());
  await store.schools.add({ id: 'sch-7', name: 'Школа-лицей №7' }, 'test');
  await store.accounts.add({ username: 'dana', password: 'dana-password-1', role: 'school-admin', school: 'sch-7', name: 'Dana' }, 'test');
  await store.accounts.add({ username: 'rita', password: 'rita-password-1', role: 'region-admin', name: 'Rita' }, 'test');
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
  await server.close();
});

async function newPage(width: number, locale = 'en-GB'): Promise<Page> {
  const page = await browser.newPage({ viewport: { width, height: 720 }, locale });
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  return page;
}

async function signIn(page: Page, username: string, password: string): Promise<void> {
  await page.goto(`${base}/console/login`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${base}/console/`);
}

const noSidewaysScroll = (page: Page) => page.evaluate('document.documentElement.scrollWidth <= window.innerWidth');

describe('a school admin at work', () => {
  it('signs in with the English labels, switches to Russian, creates a teacher and signs out', async () => {
    const page = await newPage(1280);
    await signIn(page, 'dana', 'dana-password-1');
    await expect(page.locator('.bar').getByRole('link', { name: 'Accounts' }).isVisible()).resolves.toBe(true);
    // The stylesheet loaded under the CSP: the page is styled, not bare.
    expect(await page.evaluate('getComputedStyle(document.body).backgroundColor')).toBe('rgb(238, 243, 248)');

    await page.getByRole('link', { name: 'Русский' }).click();
    await page.waitForURL(/lang=ru/);
    expect(await page.getAttribute('html', 'lang')).toBe('ru');
    await page.locator('.bar').getByRole('link', { name: 'Учётные записи' }).click();
    await page.waitForURL(`${base}/console/accounts`);
    expect(await page.getAttribute('html', 'lang')).toBe('ru');

    await page.getByLabel('Логин').fill('aigerim');
    await page.getByLabel('Имя').fill('Айгерим Садыкова');
    await page.getByLabel('Пароль', { exact: true }).fill('aigerim-pass-1');
    await page.getByRole('button', { name: 'Создать' }).click();
    await expect(page.getByRole('status').textContent()).resolves.toBe('Учётная запись aigerim создана.');
    await expect(page.locator('table').textContent()).resolves.toContain('Айгерим Садыкова');
    expect(await store.accounts.get('aigerim')).toMatchObject({ role: 'teacher', school: 'sch-7' });

    await page.locator('.bar').getByRole('button', { name: 'Выйти' }).click();
    await page.waitForURL(/\/console\/login\?out=1/);
    await expect(page.getByRole('status').textContent()).resolves.toBe('Вы вышли из консоли.');
    await page.goto(`${base}/console/accounts`);
    expect(page.url()).toContain('/console/login');
    await page.close();
  });
});

describe('error pages', () => {
  it('answers a missing page with a translated 404 page', async () => {
    const page = await newPage(1280, 'kk-KZ');
    const response = await page.goto(`${base}/console/no-such-page`);
    expect(response?.status()).toBe(404);
    expect(await page.getAttribute('html', 'lang')).toBe('kk');
    await expect(page.getByRole('alert').textContent()).resolves.toBe('Мұндай бет жоқ.');
    await page.close();
  });

  it('answers a form whose CSRF token was tampered with by a translated 403 page, and changes nothing', async () => {
    const page = await newPage(1280);
    await signIn(page, 'rita', 'rita-password-1');
    await page.goto(`${base}/console/schools?lang=ru`);
    await page.evaluate("document.querySelectorAll('input[name=_csrf]').forEach((input) => { input.value = 'forged' })");
    await page.getByLabel('Идентификатор').fill('sch-evil');
    await page.getByLabel('Имя').fill('Evil');
    const [response] = await Promise.all([page.waitForResponse(`${base}/console/schools`), page.getByRole('button', { name: 'Добавить' }).click()]);
    expect(response.status()).toBe(403);
    await expect(page.getByRole('alert').textContent()).resolves.toBe('Форма устарела. Обновите страницу и попробуйте снова.');
    expect(await store.schools.get('sch-evil')).toBeUndefined();
    await page.close();
  });
});

describe('page quality', () => {
  it('goes through the sign-in form in order with the keyboard, the skip link first', async () => {
    const page = await newPage(1280);
    await page.goto(`${base}/console/login`);
    const order: string[] = [];
    for (let i = 0; i < 8; i++) {
      await page.keyboard.press('Tab');
      order.push(String(await page.evaluate("(e => e.getAttribute('name') ?? e.getAttribute('hreflang') ?? (e.className || e.tagName))(document.activeElement)")));
    }
    expect(order).toEqual(['skip', 'brand', 'kk', 'ru', 'en', 'username', 'password', 'BUTTON']);
    await page.close();
  });

  it('fits 360 px without sideways scrolling, with the menu folded behind one control', async () => {
    const page = await newPage(360);
    await page.goto(`${base}/console/login`);
    expect(await noSidewaysScroll(page)).toBe(true);
    await signIn(page, 'rita', 'rita-password-1');
    // Every page of the menu (a region admin sees them all), and a school's edit form.
    for (const path of [...NAV.map((entry) => entry.path), '/console/schools/sch-7']) {
      expect((await page.goto(`${base}${path}`))?.status(), path).toBe(200);
      expect(await noSidewaysScroll(page), path).toBe(true);
    }
    expect(await page.locator('.bar').isVisible()).toBe(false);
    await page.getByText('Menu').click();
    await expect(page.locator('.menu').getByRole('link', { name: 'Schools' }).isVisible()).resolves.toBe(true);
    await page.close();
  });

  it('broke no Content-Security-Policy rule on any page above', () => {
    expect(violations).toEqual([]);
  });
});
