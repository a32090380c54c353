import { useTranslation } from 'react-i18next';
import { useMe } from '../api.js';
import { CouponsSection } from './catalogue/Coupons.js';
import { GiftTiersSection } from './catalogue/GiftTiers.js';
import { PaymentMethodsSection } from './catalogue/PaymentMethods.js';
import { ProductsSection } from './catalogue/Products.js';

/**
 * The catalogue as customers order from it: products and SKUs, payment methods, coupons, gift tiers. Admins
 * create and edit; support reads (the API refuses support's writes anyway).
 */
export function CataloguePage() {
  const { t } = useTranslation();
  const admin = useMe().role === 'admin';
  return (
    <>
      <h1>{t('catalogue.title')}</h1>
      <ProductsSection admin={admin} />
      <PaymentMethodsSection admin={admin} />
      <CouponsSection admin={admin} />
      <GiftTiersSection admin={admin} />
    </>
  );
}
